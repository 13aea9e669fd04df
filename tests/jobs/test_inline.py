"""No REDIS_URL: jobs run inline, right after the request that emitted them commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.jobs import outbox, registry
from app.jobs.outbox import emit, relay
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.outbox import OutboxMessage
from tests.jobs.conftest import add_chefs, booking_body


@pytest.fixture
def kitchen(app, world):
    with app.app_context():
        add_chefs(world.station.id, "Kenji", "Hana")
        db.session.commit()
    return world


@pytest.fixture
def booking_event(monkeypatch):
    """Stands in for notifications.booking_event: records what it saw, or fails on demand."""
    seen: list[dict] = []
    behaviour = {"fail": False}

    def fake(booking_id: int, kind: str, event_id: int | None = None) -> None:
        booking = db.session.get(Booking, booking_id)  # the job's own session, after the commit
        seen.append({"booking_id": booking_id, "kind": kind, "found": booking is not None})
        if behaviour["fail"]:
            raise ConnectionError("SMTP server said no")

    spec = registry.JobSpec("notifications.booking_event", fake, "notifications", 3, 120)
    monkeypatch.setitem(registry.JOBS, "notifications.booking_event", spec)
    fake.seen = seen
    fake.behaviour = behaviour
    return fake


def _messages(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_a_booking_runs_its_job_inline_after_the_commit(app, client, kitchen, booking_event):
    assert app.config["REDIS_URL"] is None
    response = client.post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201
    assert len(booking_event.seen) == 1
    assert booking_event.seen[0]["kind"] == "created"
    assert booking_event.seen[0]["found"]  # the booking was committed before the job ran
    (message,) = _messages(app)
    assert message.dispatched_at is not None
    assert message.attempts == 1 and message.last_error is None


def test_a_failed_inline_job_waits_for_the_next_relay(app, client, kitchen, booking_event):
    booking_event.behaviour["fail"] = True
    assert client.post("/api/v1/bookings", json=booking_body()).status_code == 201  # the booking stands
    (message,) = _messages(app)
    assert message.dispatched_at is None and message.attempts == 1
    assert message.last_error.startswith("failed inline: ConnectionError")

    booking_event.behaviour["fail"] = False
    with app.app_context():
        assert relay() == 1
    (message,) = _messages(app)
    assert message.dispatched_at is not None and message.attempts == 2 and message.last_error is None
    assert len(booking_event.seen) == 2


def test_inline_attempts_are_capped(app, client, kitchen, booking_event):
    booking_event.behaviour["fail"] = True
    client.post("/api/v1/bookings", json=booking_body())
    with app.app_context():
        for _ in range(outbox.MAX_INLINE_ATTEMPTS + 2):
            relay()
    (message,) = _messages(app)
    assert message.attempts == outbox.MAX_INLINE_ATTEMPTS
    assert message.dispatched_at is None  # still shown as waiting, with its error
    assert len(booking_event.seen) == outbox.MAX_INLINE_ATTEMPTS


def test_a_claimed_message_is_not_run_by_a_second_relay(app, monkeypatch):
    """A relay started while another runs the message (the job relays, here) skips it."""
    runs: list[int] = []

    def reentrant() -> None:
        runs.append(1)
        relay()  # a second relay, while this message is claimed

    spec = registry.JobSpec("test.reentrant", reentrant, "default", 0, 60)
    monkeypatch.setitem(registry.JOBS, "test.reentrant", spec)
    with app.app_context():
        emit("test.reentrant", key="re-1")
        db.session.commit()
        assert relay() == 1
    assert runs == [1]


def test_a_claim_left_by_a_dead_process_is_taken_over_after_the_lease(app, monkeypatch):
    runs: list[int] = []
    monkeypatch.setitem(
        registry.JOBS, "test.lease", registry.JobSpec("test.lease", lambda: runs.append(1), "default", 0, 60)
    )
    with app.app_context():
        message = emit("test.lease", key="lease-1")
        db.session.commit()
        # As a process that died mid-job leaves it: claimed, never finished.
        claimed_at = utcnow() - timedelta(minutes=1)
        db.session.execute(
            update(OutboxMessage).values(dispatched_at=claimed_at, attempts=1, last_error=outbox.RUNNING_INLINE)
        )
        db.session.commit()
        assert relay() == 0  # still within the lease
        db.session.execute(update(OutboxMessage).values(dispatched_at=utcnow() - outbox.INLINE_LEASE * 2))
        db.session.commit()
        assert relay() == 1
        row = db.session.get(OutboxMessage, message.id)
        assert row.attempts == 2 and row.last_error is None
    assert runs == [1]


def test_inline_job_errors_can_be_raised_in_tests(app, monkeypatch):
    def broken() -> None:
        raise ValueError("boom")

    monkeypatch.setitem(registry.JOBS, "test.raise", registry.JobSpec("test.raise", broken, "default", 0, 60))
    monkeypatch.setitem(app.config, "RAISE_INLINE_JOB_ERRORS", True)
    with app.app_context():
        emit("test.raise", key="raise-1")
        db.session.commit()
        with pytest.raises(ValueError, match="boom"):
            relay()
        row = db.session.scalar(select(OutboxMessage))
        assert row.dispatched_at is None and "boom" in row.last_error  # recorded before raising
