"""POST /bookings and GET /bookings/<public_token>."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models.booking import Booking, BookingEvent, IdempotencyRecord
from app.models.customer import ConsentRecord, Customer
from tests.api.conftest import API, assert_error, booking_body, future_day

CONSENT_TEXT = "Email me offers from Teppan. Unsubscribe any time."


def _book(client, body=None, **kwargs):
    return client.post(f"{API}/bookings", json=booking_body() if body is None else body, **kwargs)


def _written(dbq) -> tuple[int, ...]:
    return tuple(dbq.count(m) for m in (Booking, Customer, ConsentRecord, BookingEvent, IdempotencyRecord))


def test_a_booking_is_created_with_the_right_price(client, kitchen, dbq):
    body = booking_body(
        consent={"email": True, "email_text": CONSENT_TEXT},
        attribution={"utm_source": "instagram", "utm_campaign": "summer"},
        proteins=["Chicken", "Shrimp"],
    )
    response = _book(client, body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["reference"].startswith("TP-")
    assert created["status"] == "pending_deposit"
    assert created["total"] == {"cents": 61000, "formatted": "$610.00"}
    assert created["deposit"]["cents"] == 10000
    assert created["quote"]["total_cents"] == 61000
    assert created["deposit_due_at"]
    assert created["status_url"].endswith(f"/api/v1/bookings/{created['public_token']}")
    assert response.headers["Location"] == created["status_url"]

    booking = dbq.scalar(select(Booking).where(Booking.reference == created["reference"]))
    assert (booking.total_cents, booking.deposit_cents, booking.source) == (61000, 10000, "api")
    assert (booking.event_date, booking.slot_time, booking.adults, booking.children) == (future_day(), "18:00", 10, 2)
    assert booking.station_id == kitchen.id
    assert booking.attribution == {"utm_source": "instagram", "utm_campaign": "summer"}
    assert booking.consent["email_text"] == CONSENT_TEXT
    customer = dbq.get(Customer, booking.customer_id)
    assert (customer.email, customer.phone) == ("ada@example.com", "+14045550142")
    consent = dbq.scalar(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id))
    assert (consent.channel, consent.text, consent.granted) == ("email", CONSENT_TEXT, True)
    assert consent.ip_address
    assert dbq.count(ConsentRecord, ConsentRecord.channel == "sms") == 0


def test_the_status_is_readable_by_token_and_shows_nothing_internal(client, kitchen):
    created = _book(client).get_json()
    response = client.get(f"{API}/bookings/{created['public_token']}")
    assert response.status_code == 200
    status = response.get_json()
    assert status["reference"] == created["reference"]
    assert status["status"] == "pending_deposit"
    assert (status["event_date"], status["slot"]) == (future_day().isoformat(), "18:00")
    assert status["guests"] == {"adults": 10, "children": 2, "toddlers": 0, "total": 12}
    assert status["total"]["cents"] == 61000
    assert status["paid"]["cents"] == 0
    assert status["balance"]["cents"] == 61000
    assert status["deposit_paid"] is False
    assert status["deposit_due_at"] == created["deposit_due_at"]
    assert status["station"]["slug"] == "alpha"
    text = response.get_data(as_text=True)
    for private in ("ada@example.com", "Peachtree", "555-0142", "Lovelace", "public_token"):
        assert private not in text


@pytest.mark.parametrize("token", ["x" * 32, "short", "a" * 65, "bad token with spaces!!"])
def test_unknown_token_is_404(client, world, token):
    assert_error(client.get(f"{API}/bookings/{token}"), 404, "booking_not_found")


def test_missing_and_wrong_fields_are_422_with_dotted_paths(client, kitchen, dbq):
    before = _written(dbq)
    body = booking_body(customer={"name": "Ada", "email": "not-an-email", "phone": "12"}, adults="ten")
    del body["slot"]
    error = assert_error(_book(client, body), 422, "validation_failed")
    assert {"customer.email", "customer.phone", "adults", "slot"} <= set(error["fields"])
    error = assert_error(_book(client, booking_body(consent={"sms": True})), 422)
    assert "consent" in error["fields"]
    error = assert_error(_book(client, booking_body(event_date="next friday", zip_code=30303)), 422)
    assert {"event_date", "zip_code"} <= set(error["fields"])
    assert _written(dbq) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slot": "19:00"}, "slot"),
        ({"event_date": date.today().isoformat()}, "event_date"),
        ({"event_date": (date.today() + timedelta(days=400)).isoformat()}, "event_date"),
        ({"event_date": "9999-12-31"}, "event_date"),
        ({"event_date": "0001-01-01"}, "event_date"),
        ({"upgrades": {"caviar": 2}}, "upgrades.caviar"),
        ({"proteins": ["Unicorn"]}, "proteins"),
        ({"zip_code": "00000"}, "zip_code"),
    ],
)
def test_bookings_the_station_cannot_take_are_422_and_write_nothing(client, kitchen, dbq, overrides, field):
    before = _written(dbq)
    error = assert_error(_book(client, booking_body(**overrides)), 422)
    assert field in error["fields"], error
    assert _written(dbq) == before


def test_outside_the_service_radius_is_422(client, kitchen, dbq):
    before = _written(dbq)
    assert_error(_book(client, booking_body(zip_code="90210")), 422, "outside_service_area")
    assert _written(dbq) == before


def test_a_slot_without_a_chef_is_422(client, world):
    assert_error(_book(client), 422, "slot_unavailable")


def test_a_full_slot_is_409_and_writes_nothing(client, kitchen, dbq):
    for email in ("one@example.com", "two@example.com"):
        customer = {"name": "Guest", "email": email, "phone": "(404) 555-0100"}
        assert _book(client, booking_body(customer=customer)).status_code == 201
    before = _written(dbq)
    error = assert_error(_book(client), 409, "slot_full")
    assert "fully booked" in error["message"]
    assert _written(dbq) == before
    # Another slot of the same day still books.
    assert _book(client, booking_body(slot="12:00")).status_code == 201


def test_unknown_station_is_404(client, kitchen):
    error = assert_error(_book(client, booking_body(station="atlantis")), 404, "station_not_found")
    assert "station" in error["fields"]


def test_malformed_body_is_400(client, kitchen):
    assert_error(client.post(f"{API}/bookings", data="{", content_type="application/json"), 400, "malformed_json")
    assert_error(client.post(f"{API}/bookings", json=[booking_body()]), 400, "not_an_object")


def test_wrong_method_is_405_json(client, world):
    response = client.delete(f"{API}/bookings")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    assert_error(client.get(f"{API}/no-such-thing"), 404)


def test_a_zip_code_of_non_ascii_digits_is_422(client, kitchen, dbq):
    before = _written(dbq)
    error = assert_error(_book(client, booking_body(zip_code="٣٠٣٠٣")), 422)
    assert "zip_code" in error["fields"]
    assert _written(dbq) == before


def test_text_the_database_cannot_store_is_422_not_a_crash(client, kitchen, dbq):
    before = _written(dbq)
    error = assert_error(_book(client, booking_body(notes="gate\u0000code")), 422)
    assert "notes" in error["fields"]
    customer = {"name": "Ada\u0000", "email": "ada@example.com", "phone": "(404) 555-0142"}
    error = assert_error(_book(client, booking_body(customer=customer)), 422)
    assert "customer.name" in error["fields"]
    raw = '{"station": "alpha", "adults": 2, "upgrades": {"\\ud800": 1}}'
    assert_error(client.post(f"{API}/quotes", data=raw, content_type="application/json"), 422)
    assert_error(client.post(f"{API}/quotes", data="[" * 5000 + "]" * 5000), 400, "malformed_json")
    assert_error(client.get(f"{API}/stations/al%00pha/menu"), 404, "station_not_found")
    assert_error(client.get(f"{API}/stations/alpha%0A/menu"), 404, "station_not_found")
    assert _written(dbq) == before
