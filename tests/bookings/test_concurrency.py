"""A slot is never sold beyond capacity, under real concurrency on PostgreSQL.

50 threads, each with its own connection, POST a booking for the same slot of
capacity 2 at the same moment: exactly 2 get 201, 48 get 409, the database agrees.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.booking import Booking
from app.models.station import Station
from tests.bookings.conftest import add_chef, future_day
from tests.factories import StationFactory

REQUESTS = 50


def _payload(n: int, day) -> dict:
    return {
        "station": "race",
        "customer": {"name": f"Racer {n}", "email": f"racer{n}@example.com", "phone": f"+1404555{2000 + n:04d}"},
        "address": f"{n} Race St",
        "zip_code": "30303",
        "event_date": day.isoformat(),
        "slot": "18:00",
        "adults": 10,
    }


@pytest.mark.committing
def test_fifty_concurrent_bookings_for_a_slot_of_two(app):
    day = future_day(20)
    with app.app_context():
        station = StationFactory(slug="race", name="Race", zip_code="30313")
        add_chef(station, "One")
        add_chef(station, "Two")
        db.session.commit()
        station_id = station.id

    barrier = threading.Barrier(REQUESTS)

    def attempt(n: int) -> tuple[int, dict]:
        client = app.test_client()
        barrier.wait(timeout=30)  # everyone fires together
        response = client.post("/api/v1/bookings", json=_payload(n, day))
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(attempt, range(REQUESTS)))

    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 2, statuses
    assert statuses.count(409) == REQUESTS - 2, statuses
    assert all(body["error"]["code"] == "slot_full" for status, body in results if status == 409)
    with app.app_context():
        held = db.session.scalar(select(func.count()).select_from(Booking).where(Booking.station_id == station_id))
        assert held == 2
        assert db.session.get(Station, station_id).slug == "race"
