"""Review rows for other tests (e.g. tests/test_url_walk.py URL_VALUES)."""

from __future__ import annotations

from app.extensions import db
from app.models.review import Review
from app.models.station import Station
from app.reviews import photos


def review_with_photo(station: Station, *, rating: int = 5, text: str = "Great party") -> Review:
    """A review of `station` (no booking) with one PNG stored under the upload root."""
    from tests.reviews.conftest import png_bytes

    review = Review(station_id=station.id, rating=rating, text=text, author_name="Ada Lovelace", photos=[])
    db.session.add(review)
    db.session.flush()
    review.photos = photos.save(review.id, [photos.Photo(data=png_bytes(), kind=photos.PNG)])
    db.session.flush()
    return review
