"""Payments and refunds of bookings (manual now, Stripe when configured)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, UTCDateTime, utcnow

MANUAL_METHODS = ("cash", "venmo", "zelle", "check", "card_terminal")


class Payment(StationScoped, db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("kind IN ('deposit', 'balance', 'other', 'refund')", name="kind_known"),
        UniqueConstraint("provider", "provider_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(20))  # cash | venmo | zelle | check | stripe ...
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    provider: Mapped[str | None] = mapped_column(String(16))  # stripe
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    booking = relationship("Booking")
    recorded_by = relationship("User", lazy="joined")
