"""What a review submission and the published reviews look like (pydantic).

One request model serves the public page (form fields) and `POST /api/v1/reviews`
(JSON), so both refuse the same things; the OpenAPI document is generated from these.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TEXT_CHARS = 5000
MAX_NAME_CHARS = 120


def _storable(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; the API already refuses it, the form must too.
    if value is not None and "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


class ReviewFields(BaseModel):
    """What the customer writes: the same on the page and in the API."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    text: str = Field(default="", max_length=MAX_TEXT_CHARS, description="The review; may be empty")
    author_name: str | None = Field(
        default=None,
        max_length=MAX_NAME_CHARS,
        description="Name to show with the review; defaults to the booking's name (shown as first name + initial)",
    )

    _text = field_validator("text", "author_name")(_storable)


class ReviewRequest(ReviewFields):
    """A review sent by the public site with the link's token."""

    token: str = Field(
        min_length=1,
        max_length=200,
        description="The token of the review link (the last part of /review/<token>) from the review request",
    )


class ReviewReceived(BaseModel):
    status: str = Field(description="created, or updated when this link's review already existed")
    rating: int
    message: str
    review_links: dict[str, str] = Field(
        description="The station's public review pages (google, yelp) to offer every reviewer, whatever the rating"
    )


class PublicReview(BaseModel):
    author: str = Field(description="First name and last initial")
    rating: int
    text: str
    date: dt.date = Field(description="When the review was written (station-local date)")
    reply: str | None = Field(description="The station's public answer, once sent")


class AggregateRating(BaseModel):
    """schema.org AggregateRating over every visible review of the station."""

    model_config = ConfigDict(populate_by_name=True)

    type_: str = Field(default="AggregateRating", alias="@type")
    ratingValue: float | None = Field(description="Mean rating, one decimal; null without reviews")  # noqa: N815
    reviewCount: int  # noqa: N815
    bestRating: int = 5  # noqa: N815
    worstRating: int = 1  # noqa: N815


class StationReviews(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    station: str
    aggregate_rating: AggregateRating = Field(alias="aggregateRating")
    reviews: list[PublicReview] = Field(description="Featured reviews, newest first")
