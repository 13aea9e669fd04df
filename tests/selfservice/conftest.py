"""A station with two chefs on every slot, and a confirmed booking whose customer manages it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from app.bookings import lifecycle
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from tests.bookings.conftest import add_chef, booking_request, future_day
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401


@dataclass(frozen=True)
class Party:
    id: int
    token: str
    public_token: str
    event_date: date
    slot: str
    starts_at: datetime
    total_cents: int


def make_party(
    station, *, days: int = 20, slot: str = "18:00", confirmed: bool = True, station_slug: str = "alpha", **overrides
) -> Party:
    """A booking `days` ahead (deposit paid when `confirmed`), flushed; call inside an app context."""
    booking = create_booking(
        station,
        booking_request(station_slug, event_date=future_day(days).isoformat(), slot=slot, **overrides),
        actor=Actor.customer("api"),
        source="api",
    )
    if confirmed:
        lifecycle.record_payment(booking, Actor.system("test"), amount_cents=booking.deposit_cents, method="cash")
    db.session.flush()
    return Party(
        booking.id,
        booking.manage_token,
        booking.public_token,
        booking.event_date,
        booking.slot_time,
        booking.starts_at,
        booking.total_cents,
    )


@pytest.fixture
def station(app, world):
    """Station alpha with two chefs on every slot of every day (capacity 2), detached."""
    with app.app_context():
        merged = db.session.merge(world.station)
        add_chef(merged, "Kenji")
        add_chef(merged, "Hana")
        db.session.commit()
        db.session.refresh(merged)
        db.session.expunge_all()
    return merged


@pytest.fixture
def party(app, station) -> Party:
    with app.test_request_context():
        made = make_party(db.session.merge(station))
        db.session.commit()
        return made
