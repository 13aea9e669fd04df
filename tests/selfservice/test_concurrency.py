"""Customers racing for a slot's last place, and one customer double-clicking, on PostgreSQL
with real threads: the slot's lock and the booking's row lock let exactly one through."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.booking import Booking, BookingEvent
from tests.bookings.conftest import add_chef, future_day
from tests.factories import StationFactory
from tests.selfservice.conftest import make_party

RACERS = 8


@pytest.fixture
def parties(app):
    """Station "race" with one chef (capacity 1 a slot) and RACERS parties on different days."""
    with app.test_request_context():
        station = StationFactory(slug="race", name="Race", zip_code="30313")
        add_chef(station, "One")
        made = [make_party(station, days=20 + n, station_slug="race") for n in range(RACERS)]
        db.session.commit()
        return made


def _race(app, calls) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(calls))

    def attempt(call) -> tuple[int, dict]:
        client = app.test_client()
        barrier.wait(timeout=30)  # everyone fires together
        url, kwargs = call
        response = client.post(url, **kwargs)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(attempt, calls))


@pytest.mark.committing
def test_customers_racing_for_the_last_place_of_a_slot(app, parties):
    target = {"json": {"event_date": future_day(40).isoformat(), "slot": "15:00"}}
    results = _race(app, [(f"/api/v1/bookings/{p.token}/reschedule", target) for p in parties])
    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 1 and statuses.count(409) == RACERS - 1, statuses
    assert all(body["error"]["code"] == "slot_full" for status, body in results if status == 409)
    with app.app_context():
        there = db.session.scalar(
            select(func.count()).where(Booking.event_date == future_day(40), Booking.slot_time == "15:00")
        )
        assert there == 1


@pytest.mark.committing
def test_a_double_click_moves_the_party_once(app, parties):
    party = parties[0]
    calls = [
        (
            f"/api/v1/bookings/{party.token}/reschedule",
            {"json": {"event_date": future_day(41 + n).isoformat(), "slot": "12:00"}},
        )
        for n in range(2)
    ]
    statuses = sorted(status for status, _ in _race(app, calls))
    assert statuses == [200, 409], statuses  # the second waits for the first, then the free move is used
    with app.app_context():
        moves = db.session.scalar(
            select(func.count()).where(BookingEvent.booking_id == party.id, BookingEvent.kind == "rescheduled")
        )
        assert moves == 1 and db.session.get(Booking, party.id).reschedule_count == 1
