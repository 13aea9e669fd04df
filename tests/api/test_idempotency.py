"""Idempotency-Key on POST /bookings: retries never book twice."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.booking import Booking, IdempotencyRecord
from tests.api.conftest import API, add_chef, assert_error, booking_body

KEY = "0b4d1c9e-6f0a-4a57-9d3e-2f1b8c7a6e55"


def _book(client, body, key=KEY):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"{API}/bookings", json=body, headers=headers)


def test_the_same_key_twice_books_once_and_answers_the_same(client, kitchen, dbq):
    first = _book(client, booking_body())
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = _book(client, booking_body())
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert dbq.count(Booking) == 1
    record = dbq.scalar(select(IdempotencyRecord))
    assert (record.scope, record.key, record.status_code) == ("bookings", KEY, 201)
    assert record.response["reference"] == first.get_json()["reference"]
    assert record.station_id == kitchen.id


def test_key_order_and_whitespace_do_not_make_another_body(client, kitchen, dbq):
    body = booking_body()
    assert _book(client, body).status_code == 201
    reordered = dict(reversed(list(body.items())))
    response = client.post(
        f"{API}/bookings",
        data=json.dumps(reordered, indent=4),
        content_type="application/json",
        headers={"Idempotency-Key": KEY},
    )
    assert response.headers.get("Idempotent-Replayed") == "true"
    assert dbq.count(Booking) == 1


def test_the_same_key_with_another_body_is_409(client, kitchen, dbq):
    assert _book(client, booking_body()).status_code == 201
    error = assert_error(_book(client, booking_body(adults=11)), 409, "idempotency_key_reused")
    assert "Idempotency-Key" in error["fields"]
    assert dbq.count(Booking) == 1


def test_without_a_key_every_post_books(client, kitchen, dbq):
    assert _book(client, booking_body(), key=None).status_code == 201
    assert _book(client, booking_body(), key=None).status_code == 201
    assert dbq.count(Booking) == 2


def test_a_refused_request_keeps_nothing_so_its_retry_runs_again(client, world, dbq):
    assert_error(_book(client, booking_body()), 422, "slot_unavailable")  # no chef yet
    assert dbq.count(IdempotencyRecord) == 0
    with client.application.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    retry = _book(client, booking_body())
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers
    assert dbq.count(Booking) == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_key_is_400(client, kitchen, dbq, key):
    assert_error(_book(client, booking_body(), key=key), 400, "invalid_idempotency_key")
    assert dbq.count(Booking) == 0


@pytest.mark.committing
def test_concurrent_requests_with_one_key_book_once(app, world):
    """Real threads and connections: the losers wait on the key and replay the winner."""
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        add_chef(world.station.id, "Hana")
        db.session.commit()
    body = booking_body()
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        response = _book(client, body)
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == threads_count
    assert {status for status, _ in results} == {201}, results
    assert len({body["reference"] for _, body in results}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Booking)).all()) == 1
        assert len(db.session.scalars(select(IdempotencyRecord)).all()) == 1
