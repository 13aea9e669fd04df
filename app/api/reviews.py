"""Public API of reviews (documented in app/reviews/openapi.py).

- POST /reviews: a review sent by the site with the review link's token (rating,
  text, optional author name). Photos are uploaded on the review page itself
  (multipart, checked by their bytes); this endpoint takes none, so its JSON body
  stays within the API's 64 KB. Rate limit per IP: API_RATELIMIT_REVIEWS
  (default "10 per minute").
- GET /stations/<slug>/reviews: the featured, visible reviews and the schema.org
  AggregateRating over every visible review, for the site's widget; cacheable for
  five minutes (Cache-Control), and counted against the API's read budget.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, current_app, jsonify

from app.api import bp, limits
from app.api.errors import read
from app.api.stations import active_station
from app.extensions import db, limiter
from app.models.review import Review
from app.models.station import Station
from app.reviews import queries, services
from app.reviews.schemas import AggregateRating, PublicReview, ReviewReceived, ReviewRequest, StationReviews

CACHE_SECONDS = 300
DEFAULT_REVIEWS_LIMIT = "10 per minute"

reviews_limit = limiter.limit(
    lambda: current_app.config.get("API_RATELIMIT_REVIEWS") or DEFAULT_REVIEWS_LIMIT,
    scope="api-reviews",
    methods=["POST"],
)


def _json(payload: dict, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


@bp.post("/reviews")
@reviews_limit
def create_review():
    """A review from the review link's token: 201 when new, 200 when it edits the party's review."""
    data, _ = read(ReviewRequest)
    booking = services.booking_for_token(data.token)
    submitted = services.submit_review(booking, data, [], source="api")
    station = db.session.get(Station, booking.station_id)
    db.session.commit()
    answer = ReviewReceived(
        status="created" if submitted.created else "updated",
        rating=submitted.review.rating,
        message=f"Thank you! {station.name} has your review.",
        review_links=services.review_links(station),
    )
    return _json(answer.model_dump(mode="json"), 201 if submitted.created else 200)


def _public(review: Review, zone: ZoneInfo) -> PublicReview:
    return PublicReview(
        author=queries.public_name(review.author_name),
        rating=review.rating,
        text=review.text,
        date=review.created_at.astimezone(zone).date(),
        reply=review.reply if review.replied_at else None,
    )


@bp.get("/stations/<slug>/reviews")
@limits.read
def station_reviews(slug: str):
    """Featured reviews and the AggregateRating of a station, for the site's widget."""
    station = active_station(slug)
    zone = ZoneInfo(station.timezone)
    overall = queries.visible_summary(station.id)
    answer = StationReviews(
        station=station.slug,
        aggregate_rating=AggregateRating(ratingValue=overall.average, reviewCount=overall.count),
        reviews=[_public(review, zone) for review in queries.featured(station.id)],
    )
    response = _json(answer.model_dump(mode="json", by_alias=True))
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
