"""Bookings, their timeline, slot locks and idempotency records."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.errors import DomainError
from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, trigram_index, utcnow


class BookingStatus(StrEnum):
    PENDING_DEPOSIT = "pending_deposit"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NO_SHOW = "no_show"


# Bookings in these states hold their slot (and their chef).
HOLDS_SLOT = (BookingStatus.PENDING_DEPOSIT, BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
_HOLDS_SLOT_SQL = "status IN ('pending_deposit', 'confirmed', 'completed')"

# Read over the phone and typed from an email: no two symbols that look alike (0/O/Q/D,
# 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V). 19 symbols, 9 of them: 19**9 = 3.2e11 references
# ("TP-" + 9 = 12 characters, the column's width: the 6-character ones issued before stay
# valid). A clash is still possible, so inserts retry (`add_with_new_reference`).
REFERENCE_ALPHABET = "ACEFHJKMNPRTWXY3479"
REFERENCE_LENGTH = 9
REFERENCE_ATTEMPTS = 5


def new_reference() -> str:
    return "TP-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_public_token() -> str:
    return secrets.token_urlsafe(24)


class Booking(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("reference"),
        UniqueConstraint("public_token"),
        UniqueConstraint("manage_token"),
        Index("ix_bookings_station_slot", "station_id", "event_date", "slot_time"),
        trigram_index("ix_bookings_reference_trgm", "reference"),  # the bookings search
        Index("ix_bookings_station_status_date", "station_id", "status", "event_date"),
        # Analytics read these two ranges; the included columns let them skip the table (bench/README.md).
        Index(
            "ix_bookings_station_created",
            "station_id",
            "created_at",
            postgresql_include=[
                "status",
                "confirmed_at",
                "total_cents",
                "adults",
                "children",
                "toddlers",
                "source",
                "lead_id",
                "qr_code_id",
                "upgrades",
                "add_ons",
            ],
        ),
        Index(
            "ix_bookings_station_event_analytics",
            "station_id",
            "event_date",
            postgresql_include=[
                "id",
                "status",
                "chef_id",
                "total_cents",
                "paid_cents",
                "refunded_cents",
                "adults",
                "children",
                "toddlers",
                "refund_eligible",
            ],
        ),
        # A chef is never assigned twice in one slot (while the bookings hold it).
        Index(
            "uq_bookings_chef_slot",
            "chef_id",
            "event_date",
            "slot_time",
            unique=True,
            postgresql_where=text(f"chef_id IS NOT NULL AND {_HOLDS_SLOT_SQL}"),
            sqlite_where=text(f"chef_id IS NOT NULL AND {_HOLDS_SLOT_SQL}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), default=new_reference)
    public_token: Mapped[str] = mapped_column(String(64), default=new_public_token)
    # The secret of the customer's "manage my booking" link (/b/<token>); staff re-issue it
    # (the old link stops working) without touching the status token the API answered with.
    manage_token: Mapped[str | None] = mapped_column(String(64), default=new_public_token)
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.PENDING_DEPOSIT.value)
    source: Mapped[str] = mapped_column(String(16), default="staff")  # api | staff | lead

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    # The email and phone given with this booking: its messages go there, even when the
    # customer record it is filed under holds another phone (NULL: older bookings, staff
    # entries without one; the customer's contact is used).
    contact_email: Mapped[str | None] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    chef_id: Mapped[int | None] = mapped_column(ForeignKey("chefs.id", ondelete="SET NULL"), index=True)

    # When: the station-local date and slot ("18:00"), and the UTC instant they mean.
    event_date: Mapped[date] = mapped_column(Date)
    slot_time: Mapped[str] = mapped_column(String(5))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    # Where and who
    address: Mapped[str] = mapped_column(String(255))
    zip_code: Mapped[str] = mapped_column(String(10))
    adults: Mapped[int] = mapped_column(Integer)
    children: Mapped[int] = mapped_column(Integer, default=0)
    toddlers: Mapped[int] = mapped_column(Integer, default=0)
    upgrades: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    add_ons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    proteins: Mapped[list[str]] = mapped_column(JSON, default=list)
    allergies: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    # Money: the quote as priced at booking (or last re-price), integer cents.
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    quote: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_cents: Mapped[int] = mapped_column(Integer)
    deposit_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    distance_miles: Mapped[float | None] = mapped_column()

    deposit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    refund_eligible: Mapped[bool | None] = mapped_column(Boolean)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # Consent text shown at booking time, kept with the booking for the record.
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attribution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where it came from, as ids the analytics can join on (the raw values are in attribution).
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL", use_alter=True), index=True)
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_codes.id", ondelete="SET NULL"), index=True)

    customer = relationship("Customer", back_populates="bookings", lazy="joined")
    chef = relationship("Chef", lazy="joined")
    events = relationship(
        "BookingEvent",
        back_populates="booking",
        cascade="all, delete-orphan",
        order_by="BookingEvent.occurred_at.desc(), BookingEvent.id.desc()",
    )

    @property
    def notify_email(self) -> str | None:
        return self.contact_email or (self.customer.email if self.customer else None)

    @property
    def notify_phone(self) -> str | None:
        return self.contact_phone or (self.customer.phone if self.customer else None)

    @property
    def guests(self) -> int:
        return self.adults + self.children + self.toddlers

    @property
    def balance_cents(self) -> int:
        """What the customer still owes; nothing once the booking no longer holds its slot."""
        if self.status not in HOLDS_SLOT:
            return 0
        return max(self.total_cents - (self.paid_cents - self.refunded_cents), 0)

    @property
    def holds_slot(self) -> bool:
        return self.status in HOLDS_SLOT


class BookingEvent(StationScoped, db.Model):
    """One line of a booking's timeline: who did what, when, before and after."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(120), default="")  # "customer (API)", "system"
    kind: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    booking = relationship("Booking", back_populates="events")
    actor = relationship("User", lazy="joined")


class SlotLock(db.Model):
    """One row per (station, date, slot) that booking transactions lock FOR UPDATE.

    Counting the slot's bookings and inserting a new one happen while holding this
    row's lock, so concurrent requests for one slot run one after the other and the
    slot is never sold beyond capacity.
    """

    __tablename__ = "slot_locks"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    event_date: Mapped[date] = mapped_column(Date, primary_key=True)
    slot_time: Mapped[str] = mapped_column(String(5), primary_key=True)


class IdempotencyRecord(StationScoped, db.Model):
    """The first answer to a POST carrying an Idempotency-Key, returned again on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("station_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoFreeReference(DomainError):
    """REFERENCE_ATTEMPTS references in a row were taken: never expected; "try again", not a 500."""

    status = 503
    code = "try_again"


def add_with_new_reference(booking: Booking) -> None:
    """Insert `booking` with a fresh reference, drawing again when the reference is taken.

    Each try runs in a savepoint: on PostgreSQL a failed INSERT aborts the whole
    transaction (with the slot lock the caller holds) unless it is rolled back to a
    savepoint first. Only a clash on the reference is retried; any other integrity error
    is the caller's.
    """
    for _ in range(REFERENCE_ATTEMPTS):
        booking.reference = new_reference()
        try:
            with db.session.begin_nested():
                db.session.add(booking)
                db.session.flush()
            return
        except IntegrityError as error:
            if not _reference_clash(error):
                raise
    raise NoFreeReference("We could not file your booking just now. Please send it again.")


def _reference_clash(error: IntegrityError) -> bool:
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)  # PostgreSQL
    return constraint == "uq_bookings_reference" or "bookings.reference" in str(error.orig)  # SQLite
