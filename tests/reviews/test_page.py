"""The public review page: submit, edit, photos checked by their bytes, thank-you links."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.models.base import utcnow
from app.models.review import Review
from app.models.station import Station
from tests.reviews.conftest import LINKS, jpeg_bytes, jpeg_header_only, png_bytes, png_header_only

MB = 1024 * 1024


def _url(party) -> str:
    return f"/review/{party.token}"


def _reviews(dbq) -> list[Review]:
    return dbq.scalars(select(Review))


def test_the_page_shows_the_form_with_a_csrf_token(client, party):
    response = client.get(_url(party))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'enctype="multipart/form-data"' in html
    assert "How was your party?" in html


def test_a_two_star_review_is_stored_and_still_offered_google_and_yelp(client, party, dbq):
    response = client.post_form(_url(party), {"rating": "2", "text": "Chef was late.", "author_name": "Ada Lovelace"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/review/{party.token}/thanks")

    [review] = _reviews(dbq)
    assert (review.rating, review.text, review.source) == (2, "Chef was late.", "link")
    assert (review.booking_id, review.customer_id, review.chef_id) == (
        party.booking_id,
        party.customer_id,
        party.chef_id,
    )
    assert review.sentiment in ("positive", "neutral", "negative", "angry")

    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your review" in thanks
    assert LINKS["google"] in thanks and LINKS["yelp"] in thanks


def test_a_five_star_review_gets_the_same_links(client, party):
    response = client.post_form(_url(party), {"rating": "5", "text": ""}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert LINKS["google"] in html and LINKS["yelp"] in html


def test_a_second_submission_edits_the_one_review(client, party, dbq):
    client.post_form(_url(party), {"rating": "3", "text": "OK"})
    client.post_form(_url(party), {"rating": "4", "text": "Better on reflection"})
    [review] = _reviews(dbq)
    assert (review.rating, review.text) == (4, "Better on reflection")
    page = client.get(_url(party)).get_data(as_text=True)
    assert "Update my review" in page and "Better on reflection" in page


def test_real_png_and_jpeg_photos_are_stored_under_the_review(client, party, dbq, _uploads):
    files = [(io.BytesIO(png_bytes()), "cake.png"), (io.BytesIO(jpeg_bytes()), "grill.jpeg")]
    response = client.post_form(
        _url(party), {"rating": "5", "text": "Great", "photos": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    [review] = _reviews(dbq)
    assert [p["content_type"] for p in review.photos] == ["image/png", "image/jpeg"]
    for entry in review.photos:
        assert entry["path"].startswith(f"reviews/{review.id}/")
        assert (_uploads / entry["path"]).read_bytes()[:3] in (png_bytes()[:3], jpeg_bytes()[:3])


def _refused(client, party, dbq, files, needle: str) -> None:
    response = client.post_form(
        _url(party), {"rating": "5", "text": "Great", "photos": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert needle in response.get_data(as_text=True)
    assert _reviews(dbq) == []


def test_a_text_file_named_jpg_is_refused_and_nothing_written(client, party, dbq, _uploads):
    _refused(client, party, dbq, [(io.BytesIO(b"just some text, honest"), "photo.jpg")], "not a JPEG, PNG or WebP")
    assert not _uploads.exists() or not any(_uploads.rglob("*.*"))


def test_a_photo_over_5_mb_is_refused(client, party, dbq):
    big = png_bytes() + b"\x00" * (5 * MB)
    _refused(client, party, dbq, [(io.BytesIO(big), "huge.png")], "larger than 5 MB")


def test_more_than_three_photos_are_refused(client, party, dbq):
    files = [(io.BytesIO(png_bytes()), f"p{n}.png") for n in range(4)]
    _refused(client, party, dbq, files, "at most 3 photos")


def test_bad_ratings_and_nul_text_are_refused(client, party, dbq):
    for form in ({"rating": "0"}, {"rating": "6"}, {"rating": "x"}, {}):
        response = client.post_form(_url(party), form)
        assert response.status_code == 422, form
    # NUL never reaches the database (the app refuses such a request before the view: 400).
    assert client.post_form(_url(party), {"rating": "4", "text": "a\x00b"}).status_code in (400, 422)
    response = client.post_form(_url(party), {"rating": "4", "text": "x" * 5001})
    assert response.status_code == 422
    assert _reviews(dbq) == []


def test_a_post_without_csrf_token_is_refused(client, party, dbq):
    assert client.post(_url(party), data={"rating": "5"}).status_code == 400
    assert _reviews(dbq) == []


def test_expired_and_tampered_links(client, party):
    with time_machine.travel(utcnow() + timedelta(days=61), tick=False):
        expired = client.get(_url(party))
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert client.get(f"/review/{party.token}x").status_code == 404
    assert client.get("/review/not-a-token/thanks").status_code == 404


def test_thanks_before_a_review_goes_to_the_form(client, party):
    response = client.get(f"/review/{party.token}/thanks")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/review/{party.token}")


def test_new_photos_replace_the_old_files(client, party, dbq, _uploads):
    def send(name):
        files = [(io.BytesIO(png_bytes()), name)]
        form = {"rating": "5", "text": "Great", "photos": files}
        assert client.post_form(_url(party), form, content_type="multipart/form-data").status_code == 303
        return _reviews(dbq)[0].photos

    [old] = send("first.png")
    [new] = send("second.png")
    assert not (_uploads / old["path"]).exists() and (_uploads / new["path"]).exists()
    client.post_form(_url(party), {"rating": "4", "text": "No new photos"})
    assert _reviews(dbq)[0].photos == [new]  # a submission without photos keeps them


def test_a_body_larger_than_three_photos_is_refused_before_parsing(client, party, dbq):
    files = [(io.BytesIO(png_bytes() + b"\x00" * (5 * MB)), f"p{n}.png") for n in range(4)]
    response = client.post_form(_url(party), {"rating": "5", "photos": files}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert _reviews(dbq) == []


# --- decompression bombs: refused from the header, before anything decodes --------------


@pytest.mark.parametrize(
    ("image", "name", "needle"),
    [
        (lambda: png_header_only(100_000, 100_000), "bomb.png", "far more than 50 megapixels"),
        (lambda: jpeg_header_only(65_000, 65_000), "bomb.jpg", "far more than 50 megapixels"),
        (
            lambda: png_header_only(8_000, 8_000),
            "big.png",
            "8,000 x 8,000 pixels: photos may have at most 50",
        ),  # under Pillow's own limit
        (lambda: png_bytes()[:20], "cut.png", "not a readable image"),  # the signature, then nothing
        (lambda: b"\xff\xd8\xff" + b"\x00" * 100, "fake.jpg", "not a readable image"),
    ],
)
def test_an_image_too_large_to_decode_or_unreadable_gets_a_clear_400_and_nothing_is_stored(
    client, party, dbq, _uploads, image, name, needle
):
    files = [(io.BytesIO(png_bytes()), "fine.png"), (io.BytesIO(image()), name)]
    response = client.post_form(
        _url(party), {"rating": "5", "text": "Great", "photos": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert needle in html and name in html
    assert _reviews(dbq) == []
    assert not _uploads.exists() or not any(_uploads.rglob("*.*"))


def test_the_largest_allowed_photo_is_accepted(client, party, dbq):
    files = [(io.BytesIO(jpeg_bytes(7_000, 7_000)), "phone.jpg")]  # 49 megapixels, a real JPEG
    response = client.post_form(
        _url(party), {"rating": "5", "text": "Great", "photos": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    [review] = _reviews(dbq)
    assert review.photos[0]["content_type"] == "image/jpeg"


def test_a_bomb_stored_before_the_check_is_never_served_to_staff(app, as_role, world, _uploads):
    from app.extensions import db
    from app.reviews import photos
    from tests.reviews.factories import review_with_photo

    with app.app_context():
        review = review_with_photo(db.session.get(Station, world.station.id))
        bomb = photos.save(review.id, [photos.Photo(data=png_header_only(100_000, 100_000), kind=photos.PNG)])
        db.session.get(Review, review.id).photos = [*review.photos, *bomb]
        db.session.commit()
        review_id = review.id
    client = as_role("manager")
    assert client.get(f"/s/alpha/reviews/{review_id}/photos/0").status_code == 200
    refused = client.get(f"/s/alpha/reviews/{review_id}/photos/1")
    assert refused.status_code == 410
    assert refused.mimetype != "image/png"
