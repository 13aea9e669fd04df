"""Booking references: long, free of look-alike symbols, and a clash is drawn again, never a 500.

Collisions are forced by replacing the generator with one that repeats a taken reference
before (or instead of) a free one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import booking as booking_model
from app.models.booking import REFERENCE_ALPHABET, Booking, new_reference
from app.models.customer import Customer
from tests.api.conftest import API, booking_body, kitchen  # noqa: F401
from tests.support import dbq_fixture  # noqa: F401

LOOK_ALIKES = "0OQD1IL2Z5S6G8BUV"


def test_references_are_long_and_free_of_look_alikes():
    drawn = {new_reference() for _ in range(2000)}
    assert len(drawn) == 2000
    for reference in drawn:
        assert re.fullmatch(rf"TP-[{REFERENCE_ALPHABET}]{{9}}", reference)
        assert len(reference) <= Booking.__table__.c.reference.type.length  # fits the column
    assert not set(REFERENCE_ALPHABET) & set(LOOK_ALIKES)
    assert len(REFERENCE_ALPHABET) ** 9 > 10**11


def _draws(monkeypatch, *references: str) -> list[str]:
    """Make new_reference() return `references` in turn (the last one forever); returns the draws made."""
    made: list[str] = []
    queue: Iterator[str] = iter(references)

    def drawn() -> str:
        value = next(queue, references[-1])
        made.append(value)
        return value

    monkeypatch.setattr(booking_model, "new_reference", drawn)
    return made


def _references(dbq) -> list[str]:
    return sorted(dbq.scalars(select(Booking.reference)))


def test_a_clashing_reference_is_drawn_again_and_the_booking_is_taken(app, client, kitchen, dbq, monkeypatch):  # noqa: F811
    first = client.post(f"{API}/bookings", json=booking_body())
    assert first.status_code == 201
    taken = first.get_json()["reference"]

    made = _draws(monkeypatch, taken, taken, "TP-CAFE3479X")
    second = client.post(f"{API}/bookings", json=booking_body(slot="12:00"))
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["reference"] == "TP-CAFE3479X"
    assert made == [taken, taken, "TP-CAFE3479X"]
    assert _references(dbq) == sorted([taken, "TP-CAFE3479X"])
    # The retried booking is whole: its customer, its timeline, its slot.
    booking = dbq.scalar(select(Booking).where(Booking.reference == "TP-CAFE3479X"))
    assert booking.slot_time == "12:00" and booking.customer_id is not None
    assert dbq.count(Customer) == 1


def test_an_old_six_character_reference_still_clashes_and_is_avoided(app, client, kitchen, dbq, monkeypatch):  # noqa: F811
    with app.app_context():
        client.post(f"{API}/bookings", json=booking_body())
        old = db.session.scalar(select(Booking))
        old.reference = "TP-7KQ2MX"  # issued before references grew to nine characters
        db.session.commit()
    _draws(monkeypatch, "TP-7KQ2MX", "TP-NEW4NEW7")
    response = client.post(f"{API}/bookings", json=booking_body(slot="12:00"))
    assert response.status_code == 201
    assert _references(dbq) == ["TP-7KQ2MX", "TP-NEW4NEW7"]


def test_when_every_draw_clashes_the_caller_is_asked_to_retry_and_nothing_is_written(
    app,
    client,
    kitchen,  # noqa: F811
    dbq,
    monkeypatch,
):
    taken = client.post(f"{API}/bookings", json=booking_body()).get_json()["reference"]
    made = _draws(monkeypatch, taken)
    response = client.post(f"{API}/bookings", json=booking_body(slot="12:00"))
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "try_again" and "send it again" in error["message"]
    assert len(made) == booking_model.REFERENCE_ATTEMPTS
    assert _references(dbq) == [taken]
    assert dbq.scalar(select(func.count()).select_from(Booking)) == 1


def test_another_integrity_error_is_not_mistaken_for_a_clash(app, kitchen, monkeypatch):  # noqa: F811
    """Only the reference is drawn again: a duplicate public token (say) is not retried as one."""
    from sqlalchemy.exc import IntegrityError

    from app.bookings.services import create_booking
    from app.bookings.timeline import Actor
    from tests.bookings.conftest import booking_request

    with app.test_request_context():
        station = db.session.merge(kitchen)
        first = create_booking(station, booking_request(), actor=Actor.customer(), source="api")
        made = _draws(monkeypatch, "TP-ONE4ONE7", "TP-TWO4TWO7")
        with pytest.raises(IntegrityError):
            booking = Booking(**{c: getattr(first, c) for c in ("station_id", "customer_id", "source", "status")})
            for name in ("event_date", "slot_time", "starts_at", "address", "zip_code", "adults"):
                setattr(booking, name, getattr(first, name))
            booking.total_cents, booking.deposit_cents, booking.public_token = 1, 1, first.public_token
            booking_model.add_with_new_reference(booking)
        assert made == ["TP-ONE4ONE7"]
        db.session.rollback()
