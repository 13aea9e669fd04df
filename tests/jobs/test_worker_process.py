"""A real `flask worker` process against the real Redis and PostgreSQL.

The worker is another process, so it sees committed rows only (`committing` tests):
its environment names this run's test database (conftest.TEST_DATABASE_URL, one per
pytest process) and the test Redis. It is started with the production config, the
way a deployment runs it.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from app.extensions import db
from app.jobs.outbox import emit, relay
from app.jobs.queues import queue
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.outbox import OutboxMessage
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.jobs import worker_jobs
from tests.jobs.conftest import add_chefs, booking_body, queued_ids
from tests.processes import production_env

pytestmark = [pytest.mark.redis, pytest.mark.committing, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def flask_worker(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    env = production_env(DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, FLASK_APP="wsgi.py")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_a_worker_process_expires_an_overdue_booking_and_relays_what_that_emits(
    committed_redis_app, world, redis_server
):
    app = committed_redis_app
    with app.app_context():
        add_chefs(world.station.id, "Kenji")
        db.session.commit()
    response = app.test_client().post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
        booking_id = booking.id
        db.session.execute(
            update(Booking).where(Booking.id == booking_id).values(deposit_due_at=utcnow() - timedelta(hours=1))
        )
        expire = emit("bookings.expire_overdue_deposits", key="test-expire-run")
        db.session.commit()
        expire_id = expire.id
        assert relay() == 1

    flask_worker("periodic", "--burst")

    job = Job.fetch(f"outbox-{expire_id}", connection=redis_server)
    assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string
    assert job.return_value() == 1  # one booking expired
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "expired"
        # The expiry announced itself through the outbox, and the worker relayed that
        # message right after the job's commit.
        announced = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.job == "notifications.booking_event",
                OutboxMessage.payload["kind"].as_string() == "expired",
            )
        )
        assert announced is not None and announced.dispatched_at is not None
    assert f"outbox-{announced.id}" in queued_ids(redis_server, "notifications")


def test_a_worker_process_runs_a_job_end_to_end(committed_redis_app, redis_server):
    """Job -> database commit -> the worker relays what it emitted -> the next job runs.

    RQ imports tests.jobs.worker_jobs in the worker process (the enqueued function
    lives there), which registers the test jobs, then hands over to the real runner.
    """
    with committed_redis_app.app_context():
        queue("default").enqueue_call(
            "tests.jobs.worker_jobs.run",
            kwargs={"job_name": "test.announce", "payload": {"tag": "w1"}},
            job_id="test-announce-w1",
        )
    flask_worker("default", "--burst")

    parent = Job.fetch("test-announce-w1", connection=redis_server)
    assert parent.get_status() == JobStatus.FINISHED, parent.latest_result().exc_string
    assert worker_jobs.runs(redis_server, "announce-w1") == 1
    with committed_redis_app.app_context():
        child = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "announce-w1"))
        assert child is not None and child.dispatched_at is not None  # committed, relayed by the worker
    # ...and the same burst ran it: once.
    assert Job.fetch(f"outbox-{child.id}", connection=redis_server).get_status() == JobStatus.FINISHED
    assert worker_jobs.runs(redis_server, "w1") == 1
    assert queued_ids(redis_server, "default") == []
