"""GET /stations, /stations/<slug>/menu and /stations/<slug>/availability."""

from __future__ import annotations

from datetime import date, timedelta

from app.availability.services import MAX_RANGE_DAYS
from app.extensions import db
from app.models.station import Station
from tests.api.conftest import API, assert_error, future_day
from tests.factories import StationFactory


def test_stations_lists_active_stations_with_public_fields(app, world, client):
    with app.app_context():
        StationFactory(slug="closed", name="Closed", is_active=False)
        db.session.commit()
    response = client.get(f"{API}/stations")
    assert response.status_code == 200
    stations = response.get_json()["stations"]
    assert [s["slug"] for s in stations] == ["alpha", "beta"]
    assert stations[0] == {
        "slug": "alpha",
        "name": "Alpha",
        "timezone": "America/New_York",
        "phone": "+14045550100",
        "email": "alpha@example.com",
        "zip": "30313",
    }


def test_menu_has_prices_in_cents_and_formatted(client, world):
    response = client.get(f"{API}/stations/alpha/menu")
    assert response.status_code == 200
    menu = response.get_json()
    adult, child, toddler = menu["guests"]
    assert adult["price"] == {"cents": 5500, "formatted": "$55.00"}
    assert (child["min_age"], child["max_age"], child["price"]["cents"]) == (6, 12, 3000)
    assert toddler["price"]["cents"] == 0
    assert menu["party_minimum"] == {"cents": 55000, "formatted": "$550.00"}
    assert {u["key"]: u["price"]["cents"] for u in menu["upgrades"]}["lobster_tail"] == 1500
    assert {a["key"]: a["price"]["cents"] for a in menu["add_ons"]}["gyoza"] == 1000
    assert menu["proteins"] == {"choices": ["Chicken", "NY strip", "Shrimp", "Tofu", "Vegetables"], "per_guest": 2}
    assert menu["deposit"] == {"amount": {"cents": 10000, "formatted": "$100.00"}, "due_hours": 24}
    assert menu["travel"]["free_miles"] == 30
    assert menu["travel"]["per_mile"]["cents"] == 200
    assert menu["travel"]["service_radius_miles"] == 150
    assert menu["slots"]["times"] == ["12:00", "15:00", "18:00", "21:00"]
    assert menu["slots"]["lead_time_hours"] == 48
    assert menu["policies"]["refund_cutoff_days"] == 7
    assert any("deposit" in line for line in menu["policies"]["summary"])


def test_menu_follows_the_station_settings(app, client, world):
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        station.settings_overrides = {"adult_price_cents": 6000, "slot_times": ["17:00", "12:00"]}
        db.session.commit()
    menu = client.get(f"{API}/stations/alpha/menu").get_json()
    assert menu["guests"][0]["price"] == {"cents": 6000, "formatted": "$60.00"}
    assert menu["slots"]["times"] == ["12:00", "17:00"]


def test_unknown_or_inactive_station_is_404(app, client, world):
    assert_error(client.get(f"{API}/stations/nowhere/menu"), 404, "station_not_found")
    with app.app_context():
        db.session.get(Station, world.other.id).is_active = False
        db.session.commit()
    assert_error(client.get(f"{API}/stations/beta/menu"), 404, "station_not_found")
    assert_error(client.get(f"{API}/stations/beta/availability?from=2027-01-01&to=2027-01-02"), 404)


def _availability(client, first: date, last: date, slug: str = "alpha"):
    return client.get(f"{API}/stations/{slug}/availability?from={first.isoformat()}&to={last.isoformat()}")


def test_availability_lists_every_slot_with_remaining_capacity(client, kitchen):
    day = future_day()
    response = _availability(client, day, day + timedelta(days=1))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["station"], body["from"], body["to"]) == ("alpha", day.isoformat(), (day + timedelta(1)).isoformat())
    assert len(body["slots"]) == 8
    first = body["slots"][0]
    assert first["date"] == day.isoformat() and first["time"] == "12:00"
    assert first["starts_at"].startswith(day.isoformat())
    assert (first["bookable"], first["remaining"], first["reason"]) == (True, 2, None)


def test_availability_counts_bookings_and_says_why_a_slot_is_not_bookable(client, kitchen):
    from tests.api.conftest import booking_body

    day = future_day()
    for email in ("a@example.com", "b@example.com"):
        customer = {"name": "Guest", "email": email, "phone": "(404) 555-0142"}
        assert client.post(f"{API}/bookings", json=booking_body(customer=customer)).status_code == 201
    slots = {s["time"]: s for s in _availability(client, day, day).get_json()["slots"]}
    assert (slots["18:00"]["bookable"], slots["18:00"]["remaining"], slots["18:00"]["reason"]) == (False, 0, "full")
    assert slots["15:00"]["remaining"] == 2

    today = date.today()
    slots = _availability(client, today, today).get_json()["slots"]
    assert {s["reason"] for s in slots} == {"too_soon"}


def test_availability_without_chefs_is_unavailable(client, world):
    day = future_day()
    slots = _availability(client, day, day).get_json()["slots"]
    assert slots and all(not s["bookable"] and s["reason"] == "unavailable" for s in slots)


def test_availability_validates_the_dates(client, world):
    day = future_day()
    error = assert_error(client.get(f"{API}/stations/alpha/availability"), 422, "validation_failed")
    assert set(error["fields"]) == {"from", "to"}
    error = assert_error(client.get(f"{API}/stations/alpha/availability?from=tomorrow&to=2027-1-5"), 422)
    assert set(error["fields"]) == {"from", "to"}
    error = assert_error(_availability(client, day, day - timedelta(days=1)), 422)
    assert "to" in error["fields"]
    error = assert_error(_availability(client, day, day + timedelta(days=MAX_RANGE_DAYS)), 422)
    assert "to" in error["fields"]
    assert _availability(client, day, day + timedelta(days=MAX_RANGE_DAYS - 1)).status_code == 200
    error = assert_error(_availability(client, date(9999, 12, 30), date(9999, 12, 31)), 422)
    assert set(error["fields"]) == {"from", "to"}
    assert_error(client.get(f"{API}/stations/alpha/availability?from=2027-02-30&to=2027-03-01"), 422)
