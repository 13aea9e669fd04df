"""Payments and refunds of bookings (manual or Stripe), and Stripe Checkout Sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, utcnow

MANUAL_METHODS = ("cash", "venmo", "zelle", "check", "card_terminal")
# Money received through Stripe Checkout: never offered to staff as a manual method.
CARD_METHOD = "card"
STRIPE = "stripe"


class Payment(StationScoped, db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("kind IN ('deposit', 'balance', 'other', 'refund')", name="kind_known"),
        UniqueConstraint("provider", "provider_ref"),
        Index("ix_payments_station_created", "station_id", "created_at"),  # revenue by period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(20))  # cash | venmo | zelle | check | card_terminal | card
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    provider: Mapped[str | None] = mapped_column(String(16))  # stripe
    provider_ref: Mapped[str | None] = mapped_column(String(255))  # Stripe: the PaymentIntent id
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    booking = relationship("Booking")
    recorded_by = relationship("User", lazy="joined")


class RefundStatus:
    PENDING = "pending"  # written locally, Stripe not (yet) asked or not yet final
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    ALL = (PENDING, REQUIRES_ACTION, SUCCEEDED, FAILED, CANCELED)
    # Money promised back or gone back: counts against what may still be refunded.
    COMMITTED = (PENDING, REQUIRES_ACTION, SUCCEEDED)


class Refund(StationScoped, TimestampMixin, db.Model):
    """Money given back for a booking: to the card through Stripe, or by hand.

    The row is written (pending) before Stripe is asked, and its idempotency key
    (`refund-<id>`) makes a retried call refund once. `booking.refunded_cents` counts
    succeeded refunds only.
    """

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')", name="status_known"
        ),
        UniqueConstraint("provider", "provider_ref"),
        Index("ix_refunds_station_created", "station_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    # The card payment refunded through Stripe; None when paid back by hand.
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    method: Mapped[str] = mapped_column(String(20))  # card (Stripe) | cash | venmo | ...
    status: Mapped[str] = mapped_column(String(20), default=RefundStatus.PENDING)
    provider: Mapped[str | None] = mapped_column(String(16))  # stripe
    provider_ref: Mapped[str | None] = mapped_column(String(255))  # Stripe: the Refund id (re_...)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    booking = relationship("Booking")
    payment = relationship("Payment")
    recorded_by = relationship("User", lazy="joined")


class CheckoutSession(StationScoped, TimestampMixin, db.Model):
    """One Stripe Checkout Session asked for a booking's deposit.

    Written before Stripe is called, with the exact request parameters: a retry sends
    the same parameters under the same idempotency key and gets the same session.
    A booking gets another attempt only when the previous one expired or failed.
    """

    __tablename__ = "checkout_sessions"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("status IN ('creating', 'open', 'complete', 'expired', 'failed')", name="status_known"),
        UniqueConstraint("booking_id", "attempt"),
        UniqueConstraint("stripe_session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="creating")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stripe_session_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    payment_intent: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str] = mapped_column(Text, default="")

    booking = relationship("Booking")
