"""API test fixtures: the isolated two-station world, chefs who cover every slot, and
request bodies dated two weeks ahead (well past the 48 h lead time)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest

from app.extensions import db
from app.models.chef import AvailabilityWindow, Chef
from app.models.station import Station
from tests.support import dbq_fixture, isolated_world, make_app_fixture  # noqa: F401

API = "/api/v1"


def future_day(days: int = 14) -> date:
    return date.today() + timedelta(days=days)


def add_chef(station_id: int, name: str, *, starts: time = time(11, 0), ends: time = time(23, 59)) -> Chef:
    """An active chef working every day of the week from `starts` to `ends`."""
    chef = Chef(station_id=station_id, name=name, is_active=True)
    db.session.add(chef)
    db.session.flush()
    for weekday in range(7):
        db.session.add(
            AvailabilityWindow(station_id=station_id, chef_id=chef.id, weekday=weekday, starts=starts, ends=ends)
        )
    db.session.flush()
    return chef


@pytest.fixture
def kitchen(app, world) -> Station:
    """Station alpha with two chefs working every slot of every day: capacity 2."""
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        add_chef(world.station.id, "Hana")
        db.session.commit()
    return world.station


@pytest.fixture
def client(app):
    return app.test_client()


def booking_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "station": "alpha",
        "customer": {"name": "Ada Lovelace", "email": "Ada@Example.com", "phone": "(404) 555-0142"},
        "address": "10 Peachtree St NE",
        "zip_code": "30303",
        "event_date": future_day().isoformat(),
        "slot": "18:00",
        "adults": 10,
        "children": 2,
    }
    body.update(overrides)
    return body


def quote_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"station": "alpha", "adults": 10, "children": 2}
    body.update(overrides)
    return body


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the API's JSON error with this status (and code); returns it."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error
