"""Jobs that exist only for the tests, and how a worker process finds them.

The relay enqueues `app.jobs.runner.run`, which knows the jobs of app.jobs.catalog
only. A test that wants one of these run by a worker *process* enqueues
`tests.jobs.worker_jobs.run` instead: RQ imports this module in the worker (the
project root is on its path: `flask` puts the app's folder there), which registers
the jobs below, then hands over to the real runner. In the test process itself,
importing this module is enough.

Each job counts its runs in Redis under `test:runs:<tag>`, so a test can tell how
many times a worker ran it.
"""

from __future__ import annotations

import time
from typing import Any

from app.jobs import runner
from app.jobs.outbox import emit
from app.jobs.queues import redis_connection
from app.jobs.registry import TransientError, job


def _count(tag: str) -> int:
    return int(redis_connection().incr(f"test:runs:{tag}"))


def runs(server, tag: str) -> int:
    return int(server.get(f"test:runs:{tag}") or 0)


@job("test.record", queue="default", retries=3)
def record(tag: str) -> int:
    return _count(tag)


@job("test.broken", queue="default", retries=3)
def broken(tag: str) -> None:
    _count(tag)
    raise ValueError(f"bad data in {tag}")


@job("test.flaky", queue="default", retries=3)
def flaky(tag: str, failures: int = 2) -> int:
    """Fails with a TransientError `failures` times, then succeeds."""
    attempt = _count(tag)
    if attempt <= failures:
        raise TransientError(f"provider busy (attempt {attempt})")
    return attempt


@job("test.slow", queue="default", retries=1, timeout=1)
def slow(tag: str) -> None:
    _count(tag)
    time.sleep(3)


@job("test.announce", queue="default", retries=0)
def announce(tag: str) -> None:
    """Writes an outbox message (a database row) for another job: `test.record`."""
    _count(f"announce-{tag}")
    emit("test.record", key=f"announce-{tag}", tag=tag)


@job("test.hang_once", queue="default", retries=2)
def hang_once(tag: str) -> int:
    """Hangs on its first run (the test kills the worker then); returns at once afterwards."""
    attempt = _count(tag)
    if attempt == 1:
        time.sleep(120)
    return attempt


def run(job_name: str, payload: dict[str, Any], message_id: int | None = None) -> Any:
    return runner.run(job_name, payload, message_id)
