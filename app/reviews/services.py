"""Reviews: taking a submission by its link, the follow-ups it triggers, staff flags.

Services flush, never commit: the request commits once (photos are written to disk
after the flush that gives the review its id, before that commit).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app import audit
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.inbox.inbound import Inbound, receive
from app.jobs import outbox
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.lead import Task
from app.models.review import Review
from app.models.station import Station
from app.models.user import Role
from app.notifications.review_links import LinkExpired, booking_id_from
from app.reviews import photos as photo_store
from app.reviews.jobs import LOW_RATING_ALERT
from app.reviews.schemas import ReviewFields
from app.tenancy import members

log = logging.getLogger(__name__)

LOW_RATING = 3  # this or less alerts the managers and opens a follow-up task
FOLLOW_UP_DUE = timedelta(hours=24)
REVIEW_CHANNEL = "review"
RATING_SENTIMENT = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
SOURCES = ("link", "api", "staff")


class ReviewLinkInvalid(ValidationFailed):
    code = "review_link_invalid"


class ReviewLinkExpired(ReviewLinkInvalid):
    code = "review_link_expired"


class ReviewNotOpen(Conflict):
    code = "review_not_open"


@dataclass(frozen=True)
class Submitted:
    review: Review
    created: bool
    # Photo files the new ones replace: the caller deletes them once the change is
    # committed (a rollback must not leave the review pointing at deleted files).
    replaced_photos: list[dict]


def booking_for_token(token: str) -> Booking:
    """The booking a review link names; refused when tampered with, expired or unknown."""
    try:
        booking_id = booking_id_from(token)
    except LinkExpired:
        message = "This review link has expired. Reply to our email and we will send a new one."
        raise ReviewLinkExpired(message, fields={"token": "Expired."}) from None
    booking = db.session.get(Booking, booking_id) if booking_id is not None else None
    if booking is None:
        raise ReviewLinkInvalid("This review link is not valid.", fields={"token": "Not a valid review link."})
    return booking


def review_for(booking: Booking) -> Review | None:
    return db.session.scalar(select(Review).where(Review.booking_id == booking.id))


def review_links(station: Station) -> dict[str, str]:
    """The station's public review pages (settings override `review_links`), web links only."""
    raw = (station.settings_overrides or {}).get("review_links") or {}
    if not isinstance(raw, dict):
        return {}
    return {
        name: url
        for name, url in raw.items()
        if name in ("google", "yelp") and isinstance(url, str) and url.startswith(("https://", "http://"))
    }


def submit_review(booking: Booking, fields: ReviewFields, photos: list[photo_store.Photo], *, source: str) -> Submitted:
    """Create the booking's review, or edit it: one review per party."""
    if booking.status != BookingStatus.COMPLETED.value:
        raise ReviewNotOpen("Reviews open once the party has taken place.")
    # Two submissions of one link at once: the booking row lock makes the second an edit.
    db.session.execute(select(Booking.id).where(Booking.id == booking.id).with_for_update())
    review = review_for(booking)
    created = review is None
    if created:
        review = Review(station_id=booking.station_id, booking_id=booking.id, source=source, photos=[])
        db.session.add(review)
    before = (review.rating, review.text)
    review.customer_id = booking.customer_id
    review.chef_id = booking.chef_id
    review.rating = fields.rating
    review.text = fields.text
    review.author_name = (fields.author_name or review.author_name or _customer_name(booking))[:120]
    review.sentiment = sentiment_for(fields.rating, fields.text)
    db.session.flush()
    replaced: list[dict] = []
    if photos:  # new photos replace the old ones; none sent keeps them
        replaced = list(review.photos or [])
        review.photos = photo_store.save(review.id, photos)
    station = db.session.get(Station, booking.station_id)
    if created or before != (review.rating, review.text):
        _to_inbox(review, booking, station, edited=not created)
    if review.rating <= LOW_RATING:
        _follow_up(review, station)
    audit.record("review.created" if created else "review.updated", review, after={"rating": review.rating})
    db.session.flush()
    return Submitted(review, created, replaced)


def _customer_name(booking: Booking) -> str:
    return (booking.customer.name if booking.customer else "") or "Guest"


def sentiment_for(rating: int, text: str) -> str:
    """The offline classifier's emotion of the text; from the rating when there is no text.

    Offline on purpose: this runs in the customer's request, which must not wait on
    an external model (the inbox job labels the review's message with the full one).
    """
    if text.strip():
        try:
            return _offline_classifier().classify(text, None).emotion or RATING_SENTIMENT[rating]
        except Exception:  # a missing model must not lose a review
            log.exception("review sentiment: classifier failed, using the rating")
    return RATING_SENTIMENT[rating]


def _offline_classifier():
    from pathlib import Path

    from flask import current_app

    from app.ai.classifier import corrections_source, get_classifier

    cache_dir = current_app.config.get("AI_MODEL_CACHE_DIR") or Path(current_app.instance_path) / "ai"
    return get_classifier({}, corrections_source=corrections_source(), cache_dir=cache_dir)


def reply_body(review: Review) -> str:
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    return f"{stars} ({review.rating}/5)\n\n{review.text or '(no text, rating only)'}"


def _to_inbox(review: Review, booking: Booking, station: Station, *, edited: bool) -> None:
    """The review as an inbound message: labelled and answered by draft like any other."""
    provider_id = f"review-{review.id}"
    if edited:  # an edit is a new message; the same edit sent twice is stored once
        digest = hashlib.sha256(f"{review.rating}:{review.text}".encode()).hexdigest()[:16]
        provider_id = f"{provider_id}-edit-{digest}"
    customer = booking.customer
    message, _ = receive(
        station,
        Inbound(
            channel=REVIEW_CHANNEL,
            contact=f"review-{review.id}",
            body=reply_body(review),
            provider_id=provider_id,
            contact_name=review.author_name or _customer_name(booking),
            subject=f"Review of {booking.reference}",
            # Matches the conversation to the customer (not a new lead).
            email=customer.email if customer else None,
            phone=customer.phone if customer else None,
            meta={"review_id": review.id, "booking_id": booking.id},
        ),
    )
    review.conversation_id = message.conversation_id


def follow_up_key(review_id: int) -> str:
    return f"review:{review_id}:follow_up"


def _follow_up(review: Review, station: Station, now: datetime | None = None) -> None:
    """A follow-up task for the first manager and an alert to every manager, once per review."""
    key = follow_up_key(review.id)
    if db.session.scalar(select(Task.id).where(Task.auto_key == key)) is None:
        managers = members(station.id, Role.MANAGER)
        reference = review.booking.reference if review.booking else f"review {review.id}"
        db.session.add(
            Task(
                station_id=station.id,
                title=f"Call back about the {review.rating}-star review of {reference}"[:200],
                kind="review",
                due_at=(now or utcnow()) + FOLLOW_UP_DUE,
                owner_id=managers[0].id if managers else None,
                review_id=review.id,
                auto_key=key,
            )
        )
    outbox.emit(LOW_RATING_ALERT, key=f"review-low-rating-{review.id}", station_id=station.id, review_id=review.id)


def set_flags(review: Review, **flags: Any) -> dict[str, bool]:
    """Feature or hide a review (staff action); the flags that changed."""
    changed = {}
    for name in ("featured", "is_hidden"):
        value = flags.get(name)
        if value is not None and bool(value) != getattr(review, name):
            setattr(review, name, bool(value))
            changed[name] = bool(value)
    if changed:
        audit.record("review.flags", review, after=changed)
        db.session.flush()
    return changed
