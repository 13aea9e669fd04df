"""Factories for customers, consent records and bookings (the chef tests use them too)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory

from app.models.booking import Booking
from app.models.customer import ConsentRecord, Customer
from tests.factories import Base


class CustomerFactory(Base):
    class Meta:
        model = Customer

    station_id = None  # required: pass the station's id
    name = factory.Sequence(lambda n: f"Customer {n:03d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1404555{n % 10000:04d}")
    notes = ""


class ConsentFactory(Base):
    class Meta:
        model = ConsentRecord

    customer = None  # required: pass a Customer
    station_id = factory.LazyAttribute(lambda o: o.customer.station_id)
    channel = "email"
    purpose = "marketing"
    granted = True
    text = "Yes, send me offers and news by email."
    source = "booking.api"
    ip_address = "203.0.113.7"


def _utc_start(o) -> datetime:
    hours, minutes = (int(part) for part in o.slot_time.split(":"))
    local = datetime(o.event_date.year, o.event_date.month, o.event_date.day, hours, minutes)
    return (local + timedelta(hours=5)).replace(tzinfo=UTC)  # close enough to New York for tests


class BookingFactory(Base):
    class Meta:
        model = Booking

    customer = None  # required: pass a Customer
    station_id = factory.LazyAttribute(lambda o: o.customer.station_id)
    status = "confirmed"
    event_date = factory.LazyFunction(lambda: date.today() + timedelta(days=10))
    slot_time = "18:00"
    starts_at = factory.LazyAttribute(_utc_start)
    address = factory.Sequence(lambda n: f"{n} Peachtree St, Atlanta")
    zip_code = "30309"
    adults = 10
    children = 2
    toddlers = 1
    total_cents = 61000
    deposit_cents = 10000
    paid_cents = 10000
