"""The customer's own upcoming bookings, so "can we add 5 people?" is answered as a change to one of them.

The customer is the conversation's matched customer, or the one the contact (phone,
email, or the conversation of a channel id such as an Instagram id) finds. Only
bookings that still hold their slot and are not past are returned, as plain values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import or_, select

from app.customers.contact import normalise_email, normalise_phone
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.conversation import Conversation
from app.models.customer import Customer

UPCOMING = (BookingStatus.PENDING_DEPOSIT.value, BookingStatus.CONFIRMED.value)


@dataclass(frozen=True)
class BookingInfo:
    id: int
    reference: str
    status: str
    event_date: date
    slot_time: str
    adults: int
    children: int
    toddlers: int
    zip_code: str
    total_cents: int
    paid_cents: int
    reschedule_count: int
    upgrades: dict[str, int] = field(default_factory=dict)
    add_ons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["event_date"] = self.event_date.isoformat()
        return data


def customer_ids(station_id: int, customer_id: int | None, contact: str) -> list[int]:
    """The customers this message may come from: the matched one, else those the contact finds."""
    if customer_id is not None:
        return [customer_id]
    contact = (contact or "").strip()
    if not contact:
        return []
    email = _email(contact) if "@" in contact else None
    phone = None if "@" in contact else _phone(contact)
    terms = []
    if email:
        terms.append(Customer.email == email)
    if phone:
        terms.append(Customer.phone == phone)
    if terms:
        return list(
            db.session.scalars(
                select(Customer.id).where(
                    Customer.station_id == station_id, Customer.merged_into_id.is_(None), or_(*terms)
                )
            )
        )
    # A channel id ("ig:tasha.b" or the bare id): the customer its conversation was matched to.
    bare = contact.split(":", 1)[1] if ":" in contact else contact
    return [
        found
        for found in db.session.scalars(
            select(Conversation.customer_id).where(
                Conversation.station_id == station_id,
                Conversation.contact.in_({contact, bare}),
                Conversation.customer_id.is_not(None),
            )
        )
        if found is not None
    ]


def _email(contact: str) -> str | None:
    try:
        return normalise_email(contact)
    except ValueError:
        return None


def _phone(contact: str) -> str | None:
    try:
        return normalise_phone(contact)
    except ValueError:
        return None


def upcoming(station_id: int, customers: list[int], today: date) -> list[BookingInfo]:
    """The customers' bookings from `today` on that still hold their slot, soonest first."""
    if not customers:
        return []
    rows = db.session.scalars(
        select(Booking)
        .where(
            Booking.station_id == station_id,
            Booking.customer_id.in_(customers),
            Booking.status.in_(UPCOMING),
            Booking.event_date >= today,
        )
        .order_by(Booking.event_date, Booking.slot_time)
        .limit(5)
    ).all()
    return [
        BookingInfo(
            id=b.id,
            reference=b.reference,
            status=b.status,
            event_date=b.event_date,
            slot_time=b.slot_time,
            adults=b.adults,
            children=b.children or 0,
            toddlers=b.toddlers or 0,
            zip_code=b.zip_code or "",
            total_cents=b.total_cents,
            paid_cents=b.paid_cents or 0,
            reschedule_count=b.reschedule_count or 0,
            upgrades=dict(b.upgrades or {}),
            add_ons=dict(b.add_ons or {}),
        )
        for b in rows
    ]


def the_one_meant(bookings: list[BookingInfo], mentioned: list[date]) -> BookingInfo | None:
    """The booking whose date the message names, else the only (or soonest) one."""
    for booking in bookings:
        if booking.event_date in mentioned:
            return booking
    return bookings[0] if bookings else None
