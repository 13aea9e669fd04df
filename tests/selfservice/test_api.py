"""The customer's actions through the JSON API: the same rules, JSON answers naming them."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from app.models.booking import Booking
from tests.api.conftest import assert_error
from tests.bookings.conftest import future_day

API = "/api/v1/bookings"


def test_status_carries_the_manage_url_balance_and_actions(client, party):
    body = client.get(f"{API}/{party.public_token}").get_json()
    assert body["manage_url"].endswith(f"/b/{party.token}")
    assert body["balance"]["cents"] > 0 and body["balance_due_on"] == (party.event_date - timedelta(days=3)).isoformat()
    assert {a["action"]: a["allowed"] for a in body["actions"]}["reschedule"] is True


def test_the_created_booking_answers_its_manage_url(client, station):
    from tests.api.conftest import booking_body

    created = client.post(API, json=booking_body())
    assert created.status_code == 201 and "/b/" in created.get_json()["manage_url"]


def test_reschedule_then_the_last_free_one_is_used(client, party, dbq):
    moved = client.post(
        f"{API}/{party.token}/reschedule", json={"event_date": future_day(24).isoformat(), "slot": "15:00"}
    )
    assert moved.status_code == 200
    body = moved.get_json()
    assert (body["event_date"], body["slot"]) == (future_day(24).isoformat(), "15:00")
    again = client.post(
        f"{API}/{party.token}/reschedule", json={"event_date": future_day(25).isoformat(), "slot": "15:00"}
    )
    assert_error(again, 409, "free_reschedules_used")
    assert dbq.get(Booking, party.id).event_date == future_day(24)


def test_reschedule_just_outside_the_notice_names_the_rule(client, party):
    with time_machine.travel(party.starts_at - timedelta(hours=24) + timedelta(minutes=1), tick=False):
        late = client.post(
            f"{API}/{party.token}/reschedule", json={"event_date": future_day(24).isoformat(), "slot": "15:00"}
        )
    assert_error(late, 409, "reschedule_notice")


def test_guests_within_and_past_the_deadline(client, party):
    done = client.post(f"{API}/{party.token}/guests", json={"adults": 11, "children": 2})
    assert done.status_code == 200 and done.get_json()["guests"]["total"] == 13
    assert done.get_json()["total"]["cents"] == party.total_cents + 5500
    assert_error(client.post(f"{API}/{party.token}/guests", json={"adults": 0}), 422, "validation_failed")
    with time_machine.travel(party.starts_at - timedelta(hours=23), tick=False):
        assert_error(client.post(f"{API}/{party.token}/guests", json={"adults": 12}), 409, "guest_count_final")


def test_cancel_twice_and_wrong_tokens(client, party):
    done = client.post(f"{API}/{party.token}/cancel", json={})
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert_error(client.post(f"{API}/{party.token}/cancel", json={}), 409, "booking_closed")
    # The status token reads, it does not act; a made-up token is the same 404.
    assert_error(client.post(f"{API}/{party.public_token}/cancel", json={}), 404, "booking_not_found")
    assert_error(client.post(f"{API}/{'z' * 32}/guests", json={"adults": 2}), 404, "booking_not_found")


def test_the_actions_are_rate_limited_per_ip(make_app, party):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", API_RATELIMIT_MANAGE="2 per minute")
    client = limited.test_client()
    where = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    for _ in range(2):  # guessing tokens costs the same budget as using one
        assert client.post(f"{API}/{'q' * 32}/cancel", json={}, **where).status_code == 404
    assert_error(client.post(f"{API}/{party.token}/cancel", json={}, **where), 429, "rate_limited")
