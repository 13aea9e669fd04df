"""The scheduler: every periodic job once per interval, however many schedulers run."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from rq.job import Job

from app.jobs import periodic, registry
from app.jobs.periodic import PERIODIC, Periodic, fire_due, loop
from tests.jobs.conftest import closed_redis_url, queued_ids

NAMES = [item.job for item in PERIODIC]
NOW = 1_800_000_000.0  # a fixed instant: job ids carry the interval number


def test_the_periodic_list_names_registered_jobs():
    for item in PERIODIC:
        assert registry.spec(item.job).queue == "periodic"
    assert {"outbox.relay", "bookings.expire_overdue_deposits"} <= set(NAMES)


@pytest.mark.redis
def test_two_schedulers_fire_each_job_once_per_interval(redis_app, redis_server):
    fired: dict[str, list[str]] = {}
    barrier = threading.Barrier(2)

    def scheduler(name: str) -> None:
        with redis_app.app_context():
            barrier.wait(timeout=10)
            fired[name] = fire_due({}, now=NOW)  # each scheduler has its own memory

    threads = [threading.Thread(target=scheduler, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(fired["a"] + fired["b"]) == sorted(NAMES)  # each job by exactly one of them
    ids = queued_ids(redis_server, "periodic")
    assert sorted(ids) == sorted(
        f"periodic-{item.job.replace('.', '_')}-{int(NOW // item.every.total_seconds())}" for item in PERIODIC
    )
    job = Job.fetch(ids[0], connection=redis_server)
    assert job.func_name == "app.jobs.runner.run" and job.kwargs["payload"] == {}

    with redis_app.app_context():
        # Within the interval, neither fires again (a second tick, another scheduler).
        assert fire_due({}, now=NOW + 5) == []
        assert fire_due({}, now=NOW + 5) == []
        # The relay's interval (30 s) is over once its lock expires.
        redis_server.delete(f"{periodic.LOCK_PREFIX}outbox.relay")
        assert fire_due({}, now=NOW + 30) == ["outbox.relay"]
    assert len(queued_ids(redis_server, "periodic")) == len(NAMES) + 1


@pytest.mark.redis
def test_the_lock_expires_with_the_interval(redis_app, redis_server):
    with redis_app.app_context():
        fire_due({}, now=NOW)
    for item in PERIODIC:
        ttl = redis_server.ttl(f"{periodic.LOCK_PREFIX}{item.job}")
        assert 0 < ttl <= item.every.total_seconds()


@pytest.mark.redis
def test_a_failed_enqueue_gives_the_lock_back(redis_app, redis_server, monkeypatch):
    def broken_queue(name):
        raise RuntimeError("enqueue failed")

    monkeypatch.setattr(periodic, "queue", broken_queue)
    with redis_app.app_context(), pytest.raises(RuntimeError):
        fire_due({}, now=NOW)
    assert redis_server.exists(f"{periodic.LOCK_PREFIX}{NAMES[0]}") == 0  # the next tick tries again


def test_without_redis_the_scheduler_runs_jobs_inline_once_per_interval(app, monkeypatch):
    runs: list[str] = []

    def tick() -> int:
        runs.append("ran")
        return 1

    monkeypatch.setitem(registry.JOBS, "test.tick", registry.JobSpec("test.tick", tick, "periodic", 0, 60))
    monkeypatch.setattr(periodic, "PERIODIC", [Periodic("test.tick", timedelta(seconds=60))])
    last_run: dict[str, float] = {}
    with app.app_context():
        assert fire_due(last_run, now=NOW) == ["test.tick"]
        assert fire_due(last_run, now=NOW + 59) == []
        assert fire_due(last_run, now=NOW + 60) == ["test.tick"]
    assert runs == ["ran", "ran"]


def test_the_loop_outlives_a_tick_that_fails(make_app, caplog):
    down = make_app(REDIS_URL=closed_redis_url())
    with down.app_context():
        loop(tick_seconds=0, max_ticks=2)
    assert sum("scheduler tick failed" in r.message for r in caplog.records) == 2


@pytest.mark.redis
def test_a_fired_job_runs_in_the_worker(redis_app, redis_server, monkeypatch):
    from tests.jobs.conftest import work_burst

    monkeypatch.setattr(periodic, "PERIODIC", [Periodic("outbox.relay", timedelta(seconds=30))])
    with redis_app.app_context():
        assert fire_due({}, now=NOW) == ["outbox.relay"]
    work_burst(redis_app, "periodic")
    job = Job.fetch(periodic.periodic_job_id("outbox.relay", int(NOW // 30)), connection=redis_server)
    assert job.get_status() == "finished", job.latest_result().exc_string
