"""Creating bookings: price, slot checks, customer matching, consent, timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.bookings.services import SlotFull, create_booking
from app.bookings.timeline import Actor
from app.errors import ValidationFailed
from app.extensions import db
from app.models.booking import Booking, BookingEvent
from app.models.customer import ConsentRecord, Customer
from tests.bookings.conftest import booking_request, future_day


def book(station, **overrides):
    return create_booking(station, booking_request(**overrides), actor=Actor.customer(), source="api")


def test_booking_priced_and_recorded(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)
    assert booking.status == "pending_deposit"
    # 10 adults x $55 + 2 children x $30, within the free travel miles
    assert booking.total_cents == 61000
    assert booking.deposit_cents == 10000
    assert booking.balance_cents == 61000
    assert booking.reference.startswith("TP-")
    assert booking.quote["total_cents"] == 61000
    assert booking.deposit_due_at - booking.created_at < timedelta(hours=24, minutes=1)
    # 18:00 in Atlanta is 22:00 or 23:00 UTC depending on DST
    assert booking.starts_at.astimezone(UTC).hour in (22, 23)
    events = db.session.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).all()
    assert [e.kind for e in events] == ["created"]


def test_customer_matched_by_normalised_email_and_phone(kitchen_ctx):
    station, _ = kitchen_ctx
    first = book(station)
    second = book(
        station, slot="12:00", customer={"name": "Ada L.", "email": "ADA@Example.com ", "phone": "+1 404-555-0142"}
    )
    assert first.customer_id == second.customer_id
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1
    assert first.customer.phone == "+14045550142"


def test_consent_recorded_per_channel_with_text(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station, consent={"email": True, "email_text": "Send me offers", "sms": False})
    records = db.session.scalars(select(ConsentRecord)).all()
    assert [(r.channel, r.granted, r.text) for r in records] == [("email", True, "Send me offers")]
    assert booking.customer.email_consent is True
    assert booking.customer.sms_consent is False


def test_slot_must_be_one_of_the_station_slots(kitchen_ctx):
    station, _ = kitchen_ctx
    with pytest.raises(ValidationFailed) as error:
        book(station, slot="13:00")
    assert "slot" in error.value.fields


def test_lead_time_and_horizon(kitchen_ctx):
    station, _ = kitchen_ctx
    with pytest.raises(ValidationFailed, match="48 hours"):
        book(station, event_date=(future_day(0)).isoformat())
    with pytest.raises(ValidationFailed, match="365 days"):
        book(station, event_date=(future_day(400)).isoformat())


def test_no_chef_means_no_capacity(app, world):
    with app.test_request_context():
        station = db.session.merge(world.station)
        with pytest.raises(ValidationFailed, match="No chef"):
            book(station)


def test_slot_never_sold_beyond_capacity(kitchen_ctx):
    station, _ = kitchen_ctx
    book(station)
    book(station, customer={"name": "B", "email": "b@example.com", "phone": "4045550143"})
    with pytest.raises(SlotFull):
        book(station, customer={"name": "C", "email": "c@example.com", "phone": "4045550144"})
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 2


def test_unknown_protein_refused(kitchen_ctx):
    station, _ = kitchen_ctx
    with pytest.raises(ValidationFailed, match="protein"):
        book(station, proteins=["Unicorn"])


def test_outside_service_radius_refused(kitchen_ctx):
    station, _ = kitchen_ctx
    with pytest.raises(ValidationFailed) as error:
        book(station, zip_code="75201")  # Dallas, from Atlanta
    assert error.value.code == "outside_service_area"
    assert "miles" in error.value.message


def test_deposit_deadline_never_after_the_event(kitchen_ctx):
    station, _ = kitchen_ctx
    now = datetime.now(UTC)
    booking = create_booking(
        station, booking_request(event_date=future_day(3).isoformat()), actor=Actor.customer(), source="api", now=now
    )
    assert booking.deposit_due_at <= booking.starts_at
