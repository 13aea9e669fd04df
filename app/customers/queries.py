"""Read side of the customer pages: search, per-row booking numbers, the customer page.

The list reads a fixed number of queries whatever the page size: the page of customers
(plus its count), then one aggregate query for the booking numbers of that page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select

from app.customers.contact import normalise_phone
from app.extensions import db
from app.models.base import contains_text
from app.models.booking import Booking
from app.models.conversation import Conversation
from app.models.customer import ConsentRecord, Customer
from app.tenancy import scoped

MIN_PHONE_DIGITS = 4  # fewer digits than this match too many numbers to be useful


def search(station_id: int, q: str) -> Select:
    """Customers not merged away, matching `q` in name, email or phone, by name.

    A query that parses as a phone number matches its E.164 form, so "(404) 555-0100",
    "404.555.0100" and "+1 404 555 0100" find the same customer; a run of digits also
    matches part of a number.
    """
    stmt = scoped(Customer, Customer.merged_into_id.is_(None), station_id=station_id)
    q = (q or "").strip()
    if q:
        conditions = [
            contains_text(Customer.name, q),  # served by the trigram indexes on PostgreSQL
            contains_text(Customer.email, q),
        ]
        try:
            phone = normalise_phone(q)
        except ValueError:
            phone = None
        if phone:
            conditions.append(Customer.phone == phone)
        digits = re.sub(r"\D", "", q)
        if len(digits) >= MIN_PHONE_DIGITS and not re.search(r"[A-Za-z@]", q):
            conditions.append(Customer.phone.contains(digits, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    return stmt.order_by(func.lower(Customer.name), Customer.id)


@dataclass(frozen=True)
class BookingNumbers:
    count: int = 0
    last_event: date | None = None
    total_cents: int = 0


def booking_numbers(station_id: int, customer_ids: list[int]) -> dict[int, BookingNumbers]:
    """Bookings per customer (count, latest event date, total value): one query."""
    if not customer_ids:
        return {}
    rows = db.session.execute(
        select(
            Booking.customer_id,
            func.count(Booking.id),
            func.max(Booking.event_date),
            func.coalesce(func.sum(Booking.total_cents), 0),
        )
        .where(Booking.station_id == station_id, Booking.customer_id.in_(customer_ids))
        .group_by(Booking.customer_id)
    ).all()
    return {cid: BookingNumbers(count, last, int(total)) for cid, count, last, total in rows}


def bookings_of(customer: Customer) -> list[Booking]:
    return list(
        db.session.scalars(
            scoped(Booking, Booking.customer_id == customer.id, station_id=customer.station_id).order_by(
                Booking.event_date.desc(), Booking.slot_time.desc()
            )
        )
    )


def conversations_of(customer: Customer) -> list[Conversation]:
    """The customer's conversations on every channel (SMS, email, Instagram, chat), latest first."""
    return list(
        db.session.scalars(
            scoped(Conversation, Conversation.customer_id == customer.id, station_id=customer.station_id).order_by(
                Conversation.last_message_at.desc(), Conversation.id.desc()
            )
        )
    )


def consent_ledger(customer: Customer) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            scoped(ConsentRecord, ConsentRecord.customer_id == customer.id, station_id=customer.station_id).order_by(
                ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()
            )
        )
    )


def merged_into(customer: Customer) -> Customer | None:
    if customer.merged_into_id is None:
        return None
    return db.session.scalar(scoped(Customer, Customer.id == customer.merged_into_id, station_id=customer.station_id))


def possible_duplicate_of(customer: Customer) -> Customer | None:
    """The customer this one shares a phone with (flagged when a booking created it), if still open."""
    if customer.possible_duplicate_of_id is None or customer.merged_into_id is not None:
        return None
    return db.session.scalar(
        scoped(
            Customer,
            Customer.id == customer.possible_duplicate_of_id,
            Customer.merged_into_id.is_(None),
            station_id=customer.station_id,
        )
    )
