"""Periodic jobs, declared in one list, and the scheduler loop that runs them.

`flask scheduler` runs the loop: each job is due every `every`; a Redis lock (SET NX
with the interval as expiry) makes sure that only one scheduler fires it even when
several run. Without Redis the loop runs the jobs inline in its own process.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.jobs import registry
from app.jobs.queues import queue, redis_connection
from app.jobs.runner import run_inline
from app.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    job: str
    every: timedelta


PERIODIC = [
    Periodic("outbox.relay", timedelta(seconds=30)),
    Periodic("bookings.expire_overdue_deposits", timedelta(minutes=5)),
    Periodic("notifications.deposit_reminders", timedelta(minutes=15)),
    Periodic("notifications.event_reminders", timedelta(minutes=15)),
    Periodic("notifications.review_requests", timedelta(minutes=30)),
]


def fire_due(last_run: dict[str, float], now: float | None = None) -> list[str]:
    """Start every periodic job whose interval has passed; returns the names started."""
    now = now if now is not None else time.time()
    fired = []
    connection = redis_connection()
    for item in PERIODIC:
        seconds = int(item.every.total_seconds())
        if connection is not None:
            # One scheduler wins the interval, however many run.
            if not connection.set(f"teppan:periodic:{item.job}", str(now), nx=True, ex=seconds):
                continue
            spec = registry.spec(item.job)
            bucket = int(now // seconds)
            queue("periodic").enqueue_call(
                "app.jobs.runner.run",
                kwargs={"job_name": item.job, "payload": {}},
                job_id=f"periodic-{item.job}-{bucket}",
                timeout=spec.timeout,
                meta={"job": item.job},
            )
        else:
            if now - last_run.get(item.job, 0) < seconds:
                continue
            last_run[item.job] = now
            run_inline(item.job, {})
        fired.append(item.job)
    return fired


def loop(tick_seconds: float = 5.0, max_ticks: int | None = None) -> None:
    """Run until stopped (or for `max_ticks` ticks, for tests)."""
    last_run: dict[str, float] = {}
    ticks = 0
    log.info("scheduler started (%s)", "redis" if current_app.config.get("REDIS_URL") else "inline")
    while max_ticks is None or ticks < max_ticks:
        started = utcnow()
        try:
            fired = fire_due(last_run)
            if fired:
                log.info("scheduler fired %s", ", ".join(fired))
        except Exception:  # noqa: BLE001 - the scheduler must outlive one bad tick
            log.exception("scheduler tick failed at %s", started.isoformat())
        ticks += 1
        time.sleep(tick_seconds)
