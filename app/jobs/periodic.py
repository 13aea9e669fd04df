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
from rq.exceptions import DuplicateJobError

from app.jobs import registry
from app.jobs.queues import queue, redis_connection
from app.jobs.runner import run_inline
from app.models.base import utcnow

log = logging.getLogger(__name__)
LOCK_PREFIX = "teppan:periodic:"
FAILURE_TTL = 14 * 24 * 3600


@dataclass(frozen=True)
class Periodic:
    job: str
    every: timedelta


PERIODIC = [
    Periodic("outbox.relay", timedelta(seconds=30)),
    Periodic("delivery.sweep", timedelta(seconds=15)),
    Periodic("bookings.expire_overdue_deposits", timedelta(minutes=5)),
    Periodic("notifications.deposit_reminders", timedelta(minutes=15)),
    Periodic("notifications.event_reminders", timedelta(minutes=15)),
    Periodic("notifications.balance_reminders", timedelta(minutes=15)),
    Periodic("notifications.review_requests", timedelta(minutes=30)),
    Periodic("ai.refresh_offline_model", timedelta(hours=1)),
    Periodic("conversations.poll_imap", timedelta(minutes=1)),
    Periodic("newsletter.start_due_campaigns", timedelta(minutes=1)),
    Periodic("leads.rescore_open", timedelta(days=1)),
    Periodic("conversations.expire_stale_drafts", timedelta(minutes=5)),
    Periodic("analytics.refresh_pending", timedelta(seconds=30)),
]


def periodic_job_id(job: str, interval_number: int) -> str:
    """`periodic-<job>-<n>`: RQ 3 accepts only letters, digits, "_" and "-" in job ids."""
    return f"periodic-{job.replace('.', '_')}-{interval_number}"


def fire_due(last_run: dict[str, float], now: float | None = None) -> list[str]:
    """Start every periodic job whose interval has passed; returns the names started.

    With Redis, `SET teppan:periodic:<job> NX EX <interval>` elects one scheduler per
    interval however many run; the job id `periodic-<job>-<interval number>` with
    `unique=True` refuses a second enqueue of the same interval. When the enqueue
    fails the lock is given back, so the next tick tries again.
    """
    now = now if now is not None else time.time()
    fired = []
    connection = redis_connection()
    for item in PERIODIC:
        seconds = int(item.every.total_seconds())
        if connection is not None:
            lock = f"{LOCK_PREFIX}{item.job}"
            # One scheduler wins the interval, however many run.
            if not connection.set(lock, str(now), nx=True, ex=seconds):
                continue
            spec = registry.spec(item.job)
            try:
                queue(spec.queue).enqueue_call(
                    "app.jobs.runner.run",
                    kwargs={"job_name": item.job, "payload": {}},
                    job_id=periodic_job_id(item.job, int(now // seconds)),
                    unique=True,
                    timeout=spec.timeout,
                    result_ttl=seconds,
                    failure_ttl=FAILURE_TTL,
                    description=f"{item.job} (every {item.every})",
                    meta={"job": item.job, "station_id": None},
                )
            except DuplicateJobError:
                continue  # this interval's run is already there
            except Exception:
                connection.delete(lock)
                raise
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
        except Exception:
            log.exception("scheduler tick failed at %s", started.isoformat())
        ticks += 1
        time.sleep(tick_seconds)
