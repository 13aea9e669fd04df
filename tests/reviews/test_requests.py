"""Review requests: none for a reviewed party, after a refund, during an open complaint,
or within the customer's cooldown; the request links the signed review page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.jobs.outbox import relay
from app.models.conversation import Conversation
from app.models.outbox import Notification
from app.models.review import Review
from app.models.station import Station
from app.notifications import planning
from app.notifications.review_links import booking_id_from
from tests.bookings.conftest import add_chef
from tests.reviews.conftest import completed_party


@pytest.fixture
def station(app, world):
    """Alpha with a chef, inside a request context (as the periodic job runs: no request needed)."""
    with app.test_request_context():
        station = db.session.get(Station, world.station.id)
        add_chef(station, "Kenji")
        add_chef(station, "Hana")
        db.session.commit()
        yield station


def _party(station, day_offset: int = 14, **customer):
    booking = completed_party(station, day_offset=day_offset, **customer)
    booking.customer.email_consent = True
    db.session.commit()
    return booking


def _requests(booking_id: int, kind: str = "review_request") -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.booking_id == booking_id, Notification.kind == kind, Notification.channel == "email"
            )
        )
    )


def _run(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        planning.review_requests(at)
        db.session.commit()
        relay()


def _day_after(booking) -> datetime:
    return booking.completed_at.astimezone(UTC) + timedelta(hours=25)


def test_the_request_links_the_signed_review_page(station):
    booking = _party(station)
    _run(_day_after(booking))
    [email] = _requests(booking.id)
    link = next(word for word in email.body_text.split() if "/review/" in word)
    with time_machine.travel(_day_after(booking), tick=False):
        assert booking_id_from(link.rsplit("/review/", 1)[1]) == booking.id


def test_no_request_for_a_party_already_reviewed(station):
    booking = _party(station)
    db.session.add(Review(station_id=station.id, booking_id=booking.id, rating=5, photos=[]))
    db.session.commit()
    _run(_day_after(booking))
    assert _requests(booking.id) == []


def test_no_request_after_a_refund(station):
    booking = _party(station)
    booking.refunded_cents = booking.deposit_cents
    db.session.commit()
    _run(_day_after(booking))
    assert _requests(booking.id) == []


def test_no_request_or_reminder_while_a_complaint_is_open(station):
    booking = _party(station)
    complaint = Conversation(
        station_id=station.id,
        channel="email",
        contact="ada@example.com",
        customer_id=booking.customer_id,
        intent="complaint",
        status="open",
    )
    db.session.add(complaint)
    db.session.commit()
    _run(_day_after(booking))
    assert _requests(booking.id) == []

    complaint.status = "closed"
    db.session.commit()
    _run(_day_after(booking) + timedelta(minutes=30))
    assert len(_requests(booking.id)) == 1


def test_no_reminder_once_the_party_is_reviewed(station):
    booking = _party(station)
    _run(_day_after(booking))
    assert len(_requests(booking.id)) == 1
    db.session.add(Review(station_id=station.id, booking_id=booking.id, rating=4, photos=[]))
    db.session.commit()
    _run(_day_after(booking) + timedelta(days=4))
    assert _requests(booking.id, "review_reminder") == []


def test_one_request_per_customer_within_the_cooldown(station):
    first = _party(station, day_offset=14)
    second = _party(station, day_offset=20)
    _run(_day_after(first))
    assert len(_requests(first.id)) == 1
    _run(_day_after(second))
    assert _requests(second.id) == []  # asked six days ago about another party


def test_the_cooldown_is_a_station_setting(station):
    station.settings_overrides = {**(station.settings_overrides or {}), "review_cooldown_days": 3}
    db.session.commit()
    first = _party(station, day_offset=14)
    second = _party(station, day_offset=20)
    _run(_day_after(first))
    _run(_day_after(second))
    assert len(_requests(second.id)) == 1


def test_another_customer_is_not_held_back_by_the_cooldown(station):
    first = _party(station, day_offset=14)
    second = _party(station, day_offset=15, name="Grace Hopper", email="grace@example.com", phone="(404) 555-0199")
    _run(_day_after(second))
    assert len(_requests(first.id)) == 1
    assert len(_requests(second.id)) == 1  # Grace was never asked: Ada's request does not hold her back
