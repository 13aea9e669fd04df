"""The reviews part of the OpenAPI document, for app/api/openapi.py to merge in:

    REQUEST_MODELS += reviews_openapi.REQUEST_MODELS
    RESPONSE_MODELS += reviews_openapi.RESPONSE_MODELS
    paths: **reviews_openapi.paths(_body, _ok, _errors)
    tags: reviews_openapi.TAG

Like the rest of the document, it needs no app or database.
"""

from __future__ import annotations

from typing import Any

from app.reviews.schemas import ReviewReceived, ReviewRequest, StationReviews

REQUEST_MODELS = (ReviewRequest,)
RESPONSE_MODELS = (ReviewReceived, StationReviews)
TAG = {"name": "reviews", "description": "Reviews left through the review link, and the featured ones for the site"}

REVIEW_TOKEN = "eyJiIjo0Mn0.Z0TQ1w.nq2fS0yq9oXH2r1V3b8m0yTuQpk"
REVIEW_LINKS = {"google": "https://g.page/r/teppan-atlanta/review", "yelp": "https://www.yelp.com/writeareview/biz/x"}
REVIEW_REQUEST = {
    "token": REVIEW_TOKEN,
    "rating": 5,
    "text": "Chef Kenji was amazing, the kids loved the onion volcano!",
}
REVIEW_RECEIVED = {
    "status": "created",
    "rating": 5,
    "message": "Thank you! Teppan Atlanta has your review.",
    "review_links": REVIEW_LINKS,
}
STATION_REVIEWS = {
    "station": "atlanta",
    "aggregateRating": {
        "@type": "AggregateRating",
        "ratingValue": 4.7,
        "reviewCount": 86,
        "bestRating": 5,
        "worstRating": 1,
    },
    "reviews": [
        {
            "author": "Grace H.",
            "rating": 5,
            "text": "Best birthday party we ever had.",
            "date": "2026-11-02",
            "reply": "Thank you, Grace! Happy birthday again.",
        }
    ],
}

ERRORS = {
    400: ("The body is not a JSON object (malformed JSON, empty body).", "bad_request"),
    404: ("Unknown station.", "station_not_found"),
    409: ("The party has not taken place yet (`review_not_open`).", "review_not_open"),
    413: ("The body is larger than 64 KB.", "body_too_large"),
    422: (
        "Validation failed (`fields` says which): a rating outside 1-5, text over 5000 characters, NUL characters, "
        "an unknown field such as `photos`, or a review link that is not valid (`review_link_invalid`) or has "
        "expired (`review_link_expired`).",
        "validation_failed",
    ),
    429: ("Too many requests from this IP; see Retry-After.", "rate_limited"),
}


def paths(body, ok, errors) -> dict[str, Any]:
    """The path items, built with app/api/openapi.py's helpers (_body, _ok, _errors)."""
    return {
        "/reviews": {
            "post": {
                "operationId": "createReview",
                "summary": "Leave (or change) the review of a party with its review link's token",
                "description": (
                    "The review request sent after a party links to `/review/<token>`; a site that shows its "
                    "own form sends that token here with a rating (1-5) and optional text. One review per "
                    "party: sending again with the same token changes it (200 instead of 201). Photos are "
                    "not taken here: the review page uploads them (JPEG, PNG or WebP, at most 3, 5 MB each). "
                    "The answer carries the station's public review pages (`review_links`): offer them to "
                    "every reviewer, whatever the rating. Rate limited per IP on its own budget."
                ),
                "tags": ["reviews"],
                "requestBody": body("ReviewRequest", REVIEW_REQUEST),
                "responses": {
                    **ok(201, "ReviewReceived", "The review is stored.", REVIEW_RECEIVED),
                    **ok(
                        200,
                        "ReviewReceived",
                        "The party's review is changed.",
                        {**REVIEW_RECEIVED, "status": "updated"},
                    ),
                    **errors(400, 409, 413, 422, table=ERRORS),
                },
            }
        },
        "/stations/{slug}/reviews": {
            "get": {
                "operationId": "getStationReviews",
                "summary": "Featured reviews of a station and its schema.org AggregateRating",
                "description": (
                    "The station's featured reviews (newest first, at most 20; the author as first name and "
                    "last initial) and `aggregateRating` over every review the station shows (hidden ones are "
                    "left out), ready for schema.org markup. Cacheable for five minutes."
                ),
                "tags": ["reviews"],
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "description": "Station slug, from GET /stations",
                        "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,60}$"},
                        "example": "atlanta",
                    }
                ],
                "responses": {
                    **ok(
                        200,
                        "StationReviews",
                        "The featured reviews and the rating.",
                        STATION_REVIEWS,
                        headers={"Cache-Control": {"description": "public, max-age=300", "schema": {"type": "string"}}},
                    ),
                    **errors(404, table=ERRORS),
                },
            }
        },
    }
