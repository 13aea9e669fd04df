"""Fixtures for the job system: the real Redis (db 15, job keys cleared), apps wired to it, a worker.

`redis_app` is the testing app with REDIS_URL pointing at the test Redis, sharing the
test's database connection (per-test rollback); `committing` tests get a fresh app on
its own engine instead (`committed_redis_app`), since a worker process or a second
thread needs committed rows.
"""

from __future__ import annotations

import fcntl
import re
import socket
import tempfile
from datetime import date, time, timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import Queue, SimpleWorker

from app.extensions import db
from app.models.chef import AvailabilityWindow, Chef
from tests.conftest import TEST_REDIS_URL
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401

# What the job system keeps in Redis (RQ's keys, the scheduler's locks) and the test jobs' counters.
OUR_KEYS = ("rq:*", "teppan:periodic:*", "test:runs:*")


def _clear(server: redis.Redis) -> None:
    for pattern in OUR_KEYS:
        keys = list(server.scan_iter(pattern, count=1000))
        if keys:
            server.delete(*keys)


@pytest.fixture
def redis_server():
    """The test Redis (db 15) without any job keys before and after the test.

    Only the job system's keys are cleared (other tests keep prefixed keys in the same
    database). Two pytest runs on one machine share that Redis (RQ's key names are
    fixed): a file lock makes their Redis tests take turns instead of emptying each
    other's queues.
    """
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:  # pragma: no cover - CI starts Redis (.ci/run)
        pytest.fail(f"the job tests need Redis at {TEST_REDIS_URL}: {exc}")
    name = re.sub(r"[^A-Za-z0-9]+", "-", TEST_REDIS_URL)
    with open(Path(tempfile.gettempdir()) / f"teppan-test-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _clear(server)
            yield server
            _clear(server)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            server.close()


@pytest.fixture
def redis_app(make_app, redis_server) -> Flask:
    return make_app(REDIS_URL=TEST_REDIS_URL)


@pytest.fixture
def committed_redis_app(make_app, redis_server) -> Flask:
    """For `committing` tests: its own engine on the test database, Redis configured."""
    return make_app(REDIS_URL=TEST_REDIS_URL, share_db=False)


def closed_port() -> int:
    """A local TCP port with nothing listening (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_redis_url() -> str:
    return f"redis://127.0.0.1:{closed_port()}/0"


def work_burst(app: Flask, *queues: str) -> None:
    """Run an RQ SimpleWorker in this process until the queues are empty."""
    from app.jobs.queues import queue, redis_connection

    with app.app_context():
        names = queues or ("default", "notifications", "ai", "periodic")
        worker = SimpleWorker([queue(name) for name in names], connection=redis_connection())
        worker.work(burst=True, logging_level="WARNING")


def queued_ids(server: redis.Redis, name: str) -> list[str]:
    return Queue(name, connection=server).get_job_ids()


def add_chefs(station_id: int, *names: str) -> None:
    """Chefs working every slot of every day at the station (capacity = how many)."""
    for name in names:
        chef = Chef(station_id=station_id, name=name, is_active=True)
        db.session.add(chef)
        db.session.flush()
        for weekday in range(7):
            db.session.add(
                AvailabilityWindow(
                    station_id=station_id, chef_id=chef.id, weekday=weekday, starts=time(11, 0), ends=time(23, 59)
                )
            )
    db.session.flush()


def booking_body(station: str = "alpha", n: int = 1) -> dict:
    day = date.today() + timedelta(days=14)
    return {
        "station": station,
        "customer": {"name": f"Ada {n}", "email": f"ada{n}@example.com", "phone": f"+1404555{1000 + n:04d}"},
        "address": "10 Peachtree St NE",
        "zip_code": "30303",
        "event_date": day.isoformat(),
        "slot": "18:00",
        "adults": 10,
        "children": 2,
    }
