"""A station with chefs working every slot, and a helper to book it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.bookings.schemas import BookingRequest
from app.extensions import db
from app.models.chef import AvailabilityWindow, Chef


def add_chef(station, name: str, *, weekdays=range(7), starts=time(11, 0), ends=time(23, 59)) -> Chef:
    chef = Chef(station_id=station.id, name=name, is_active=True)
    db.session.add(chef)
    db.session.flush()
    for weekday in weekdays:
        db.session.add(
            AvailabilityWindow(station_id=station.id, chef_id=chef.id, weekday=weekday, starts=starts, ends=ends)
        )
    db.session.flush()
    return chef


def future_day(days: int = 14) -> date:
    return date.today() + timedelta(days=days)


def booking_request(station_slug: str = "alpha", **overrides) -> BookingRequest:
    data = {
        "station": station_slug,
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "(404) 555-0142"},
        "address": "10 Peachtree St",
        "zip_code": "30303",
        "event_date": future_day().isoformat(),
        "slot": "18:00",
        "adults": 10,
        "children": 2,
    }
    data.update(overrides)
    return BookingRequest.model_validate(data)


@pytest.fixture
def kitchen(app, world):
    """Station alpha with two chefs working every slot of every day (capacity 2), detached."""
    with app.app_context():
        station = db.session.merge(world.station)
        chefs = [add_chef(station, "Kenji"), add_chef(station, "Hana")]
        db.session.commit()
        for row in (station, *chefs):
            db.session.refresh(row)
        db.session.expunge_all()
    return station, chefs


@pytest.fixture
def kitchen_ctx(app, kitchen):
    """`kitchen` inside a request context, for tests that call services (no requests)."""
    with app.test_request_context():
        station, chefs = kitchen
        yield db.session.merge(station), [db.session.merge(chef) for chef in chefs]
