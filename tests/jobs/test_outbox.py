"""The outbox relay against the real Redis and PostgreSQL.

Emit + commit -> the relay enqueues job `outbox-<id>` once (a second relay, or one
after a crash before marking, enqueues nothing more), messages are marked dispatched,
concurrent relays share the work (FOR UPDATE SKIP LOCKED), and a booking made while
Redis is down is saved and its message goes out once when Redis is back.
"""

from __future__ import annotations

import threading
import time

import pytest
from rq.job import Job
from sqlalchemy import select, update

from app.extensions import db
from app.jobs import outbox, registry
from app.jobs.outbox import emit, relay
from app.jobs.runner import run
from app.models.booking import Booking
from app.models.outbox import OutboxMessage
from tests.conftest import TEST_REDIS_URL
from tests.jobs import worker_jobs  # noqa: F401 - registers the test.* jobs
from tests.jobs.conftest import add_chefs, booking_body, closed_redis_url, queued_ids

pytestmark = pytest.mark.redis


def _emit_committed(app, n: int = 1, station_id: int | None = None, job: str = "test.record") -> list[int]:
    with app.app_context():
        messages = [emit(job, key=f"msg-{i}", station_id=station_id, tag=f"t{i}") for i in range(n)]
        db.session.commit()
        return [m.id for m in messages]


def test_emit_is_idempotent_by_key(redis_app):
    with redis_app.app_context():
        first = emit("test.record", key="same", tag="a")
        assert emit("test.record", key="same", tag="b") is None  # pending in this session
        db.session.commit()
        assert emit("test.record", key="same", tag="c") is None  # already written
        assert db.session.scalar(select(OutboxMessage.payload).where(OutboxMessage.id == first.id)) == {"tag": "a"}


def test_emit_refuses_an_unknown_job():
    with pytest.raises(LookupError, match="no job named"):
        emit("no.such.job", key="x")


def test_relay_enqueues_each_message_once_with_its_outbox_id(redis_app, redis_server):
    ids = _emit_committed(redis_app, 3)
    with redis_app.app_context():
        assert relay() == 3
        assert queued_ids(redis_server, "default") == [f"outbox-{i}" for i in ids]
        job = Job.fetch(f"outbox-{ids[0]}", connection=redis_server)
        assert job.func_name == "app.jobs.runner.run"
        assert job.kwargs == {"job_name": "test.record", "payload": {"tag": "t0"}, "message_id": ids[0]}
        assert job.meta["job"] == "test.record"
        assert job.retries_left == 3  # the spec's retries, for transient errors
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert all(row.dispatched_at is not None for row in rows)

        assert relay() == 0  # nothing left
        assert len(queued_ids(redis_server, "default")) == 3


def test_a_relay_that_died_before_marking_does_not_enqueue_twice(redis_app, redis_server):
    """The job is in Redis but the row was never marked: unique=True refuses the second copy."""
    (message_id,) = _emit_committed(redis_app)
    with redis_app.app_context():
        assert relay() == 1
        # As if the relay had crashed between the enqueue and its commit.
        db.session.execute(update(OutboxMessage).values(dispatched_at=None))
        db.session.commit()
        assert relay() == 1  # DuplicateJobError: marked, not enqueued again
        assert queued_ids(redis_server, "default") == [f"outbox-{message_id}"]
        assert db.session.get(OutboxMessage, message_id).dispatched_at is not None


def test_a_message_that_cannot_be_enqueued_does_not_hold_up_the_others(redis_app, redis_server):
    ids = _emit_committed(redis_app, 2)
    with redis_app.app_context():
        # A job renamed or removed by a deploy after its message was written.
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == ids[0]).values(job="gone.job"))
        db.session.commit()
        assert relay() == 1
        bad, good = db.session.get(OutboxMessage, ids[0]), db.session.get(OutboxMessage, ids[1])
        assert bad.dispatched_at is None and bad.attempts == 1 and "gone.job" in bad.last_error
        assert good.dispatched_at is not None
        assert queued_ids(redis_server, "default") == [f"outbox-{ids[1]}"]


def test_redis_down_keeps_the_message_with_its_error(make_app, redis_server):
    down = make_app(REDIS_URL=closed_redis_url())
    (message_id,) = _emit_committed(down)
    with down.app_context():
        assert relay() == 0
        message = db.session.get(OutboxMessage, message_id)
        assert message.dispatched_at is None
        assert message.attempts == 1
        assert message.last_error.startswith("enqueue failed:")


def test_a_booking_made_while_redis_is_down_is_kept_and_sent_once_when_it_is_back(make_app, world, redis_server):
    """Nothing lost (the booking and its message are saved), nothing doubled (one job)."""
    down = make_app(REDIS_URL=closed_redis_url())
    with down.app_context():
        add_chefs(world.station.id, "Kenji", "Hana")
        db.session.commit()
    response = down.test_client().post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]

    with down.app_context():
        booking_id = db.session.scalar(select(Booking.id).where(Booking.reference == reference))
        assert booking_id is not None
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert message.job == "notifications.booking_event"
        assert message.payload["booking_id"] == booking_id and message.payload["kind"] == "created"
        assert message.dispatched_at is None
        assert message.attempts == 1  # the after-request relay tried, and said why it failed
        assert "enqueue failed" in message.last_error and "Connection refused" in message.last_error
        message_id = message.id

    back = make_app(REDIS_URL=TEST_REDIS_URL)
    with back.app_context():
        assert run("outbox.relay", {}) == 1  # the periodic relay job, as the worker runs it
    with back.app_context():
        assert run("outbox.relay", {}) == 0  # and again: nothing more
        assert queued_ids(redis_server, "notifications") == [f"outbox-{message_id}"]
        assert db.session.get(OutboxMessage, message_id).dispatched_at is not None


def test_the_after_request_relay_enqueues_at_once(redis_app, world, redis_server):
    with redis_app.app_context():
        add_chefs(world.station.id, "Kenji")
        db.session.commit()
    response = redis_app.test_client().post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201
    with redis_app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert message.dispatched_at is not None and message.attempts == 0 and message.last_error is None
    assert queued_ids(redis_server, "notifications") == [f"outbox-{message.id}"]


@pytest.mark.committing
def test_two_concurrent_relays_enqueue_each_message_once(committed_redis_app, redis_server, monkeypatch):
    app = committed_redis_app
    total = 60
    ids = _emit_committed(app, total)
    enqueue = outbox._enqueue

    def slow_enqueue(message):  # hold the row locks a little, so the relays overlap
        time.sleep(0.002)
        enqueue(message)

    monkeypatch.setattr(outbox, "_enqueue", slow_enqueue)
    barrier = threading.Barrier(2)
    handed: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def relay_loop(name: str) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                while batch := relay(limit=5):
                    handed[name].append(batch)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=relay_loop, args=(name,)) for name in handed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    # Each message handed over exactly once, by one relay or the other (SKIP LOCKED:
    # no relay waited for or re-read the other's rows); both did part of the work.
    assert sum(handed["a"]) + sum(handed["b"]) == total
    assert handed["a"] and handed["b"], handed
    assert sorted(queued_ids(redis_server, "default")) == sorted(f"outbox-{i}" for i in ids)
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))).all()
        assert waiting == []


def test_the_relay_locks_rows_with_skip_locked_on_postgresql(redis_app):
    with redis_app.app_context():
        statements: list[str] = []
        from sqlalchemy import event

        engine = db.engine

        def capture(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", capture)
        try:
            relay()
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        assert any("FOR UPDATE SKIP LOCKED" in s and "outbox_messages" in s for s in statements), statements


def test_job_retries_come_from_the_spec(redis_app, redis_server):
    (message_id,) = _emit_committed(redis_app, job="test.broken")
    with redis_app.app_context():
        relay()
    job = Job.fetch(f"outbox-{message_id}", connection=redis_server)
    assert job.retries_left == registry.spec("test.broken").retries
    assert job.retry_intervals == registry.RETRY_INTERVALS[:3]
