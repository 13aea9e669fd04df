"""Retries: transient errors only, with RQ 3's own worker against the real Redis.

The jobs run in an RQ SimpleWorker in this process (the same worker class `flask
worker` runs); test_worker_process.py runs a real worker process.
"""

from __future__ import annotations

import pytest
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from app.extensions import db
from app.jobs import registry
from app.jobs.outbox import emit, relay
from app.jobs.runner import run
from app.models.outbox import OutboxMessage
from tests.jobs import worker_jobs
from tests.jobs.conftest import queued_ids, work_burst

pytestmark = pytest.mark.redis


def _outbox_job(app, server, job: str, **payload) -> Job:
    with app.app_context():
        message = emit(job, key=f"{job}-{payload.get('tag')}", **payload)
        db.session.commit()
        relay()
        return Job.fetch(f"outbox-{message.id}", connection=server)


def test_a_job_runs_and_finishes(redis_app, redis_server):
    job = _outbox_job(redis_app, redis_server, "test.record", tag="ok")
    work_burst(redis_app, "default")
    assert worker_jobs.runs(redis_server, "ok") == 1
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.id in FinishedJobRegistry("default", connection=redis_server)


def test_a_non_transient_error_fails_at_once_without_retries(redis_app, redis_server):
    job = _outbox_job(redis_app, redis_server, "test.broken", tag="bad")
    assert job.retries_left == 3  # enqueued with the spec's retries...
    work_burst(redis_app, "default")
    assert worker_jobs.runs(redis_server, "bad") == 1  # ...but ran once
    job = Job.fetch(job.id, connection=redis_server)
    assert job.get_status() == JobStatus.FAILED
    assert job.id in FailedJobRegistry("default", connection=redis_server)
    assert job.id not in ScheduledJobRegistry("default", connection=redis_server)
    assert job.retries_left == 0
    assert "ValueError: bad data in bad" in job.latest_result().exc_string


def test_a_transient_error_is_scheduled_for_a_retry_with_backoff(redis_app, redis_server):
    job = _outbox_job(redis_app, redis_server, "test.flaky", tag="busy")
    work_burst(redis_app, "default")
    assert worker_jobs.runs(redis_server, "busy") == 1
    job = Job.fetch(job.id, connection=redis_server)
    assert job.get_status() == JobStatus.SCHEDULED
    assert job.retries_left == 2
    scheduled = ScheduledJobRegistry("default", connection=redis_server)
    assert job.id in scheduled
    # The first interval of the backoff (10 s): the worker's scheduler enqueues it then.
    wait = scheduled.get_scheduled_time(job).timestamp() - job.ended_at.timestamp()
    assert registry.RETRY_INTERVALS[0] - 1 <= wait <= registry.RETRY_INTERVALS[0] + 1
    assert job.id not in FailedJobRegistry("default", connection=redis_server)


def test_transient_errors_are_retried_until_the_job_succeeds(redis_app, redis_server, monkeypatch):
    monkeypatch.setattr(registry, "RETRY_INTERVALS", [0, 0, 0, 0])  # retry at once, same burst
    job = _outbox_job(redis_app, redis_server, "test.flaky", tag="flaky", failures=2)
    work_burst(redis_app, "default")
    assert worker_jobs.runs(redis_server, "flaky") == 3
    job = Job.fetch(job.id, connection=redis_server)
    assert job.get_status() == JobStatus.FINISHED
    assert job.retries_left == 1


def test_transient_errors_end_in_the_failed_list_when_retries_run_out(redis_app, redis_server, monkeypatch):
    monkeypatch.setattr(registry, "RETRY_INTERVALS", [0, 0, 0, 0])
    job = _outbox_job(redis_app, redis_server, "test.flaky", tag="down", failures=99)
    work_burst(redis_app, "default")
    assert worker_jobs.runs(redis_server, "down") == 4  # the first run and 3 retries
    job = Job.fetch(job.id, connection=redis_server)
    assert job.get_status() == JobStatus.FAILED
    assert "TransientError: provider busy (attempt 4)" in job.latest_result().exc_string


@pytest.mark.slow
def test_a_job_past_its_timeout_counts_as_transient(redis_app, redis_server):
    job = _outbox_job(redis_app, redis_server, "test.slow", tag="slow")
    work_burst(redis_app, "default")
    job = Job.fetch(job.id, connection=redis_server)
    assert job.get_status() == JobStatus.SCHEDULED  # retried (spec: 1 retry), not failed
    assert job.retries_left == 0


def test_what_a_job_emits_is_relayed_after_its_commit(redis_app, redis_server, monkeypatch):
    """A job's own messages go out when it commits, not at the next periodic relay."""

    def emitting(tag: str) -> None:
        emit("test.record", key=f"child-of-{tag}", tag=f"child-{tag}")

    monkeypatch.setitem(registry.JOBS, "test.emitting", registry.JobSpec("test.emitting", emitting, "default", 0, 60))
    with redis_app.app_context():
        run("test.emitting", {"tag": "parent"})
    with redis_app.app_context():
        child = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "child-of-parent"))
        assert child.dispatched_at is not None
    assert queued_ids(redis_server, "default") == [f"outbox-{child.id}"]


def test_a_failed_job_leaves_no_half_written_rows(redis_app, redis_server, monkeypatch):
    def half(tag: str) -> None:
        emit("test.record", key=f"half-{tag}", tag=tag)
        db.session.flush()
        raise ValueError("stopped half-way")

    monkeypatch.setitem(registry.JOBS, "test.half", registry.JobSpec("test.half", half, "default", 0, 60))
    with redis_app.app_context(), pytest.raises(ValueError):
        run("test.half", {"tag": "x"})
    with redis_app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "half-x")) is None
    assert queued_ids(redis_server, "default") == []
