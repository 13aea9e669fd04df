"""Stripe webhook events, stored once by id before anything is done about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class StripeEvent(db.Model):
    """One delivered event. The UNIQUE event id is the webhook's dedupe: a second
    delivery (Stripe retries, or the same event sent concurrently) fails the insert
    and is answered 200 without side effects.

    Business-wide, like the audit log: an event names its station only in its
    metadata (when it does), and the job checks that against the booking.
    """

    __tablename__ = "stripe_events"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
