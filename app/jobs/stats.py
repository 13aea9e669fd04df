"""What the queues hold: depths for the dashboard and Prometheus, jobs for the Jobs page.

Reads only: nothing here moves a job (RQ's own `registry.count` runs a cleanup that
does; these use ZCOUNT/LLEN instead). Every reader raises RedisError when Redis is
unreachable; callers decide what to show then.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from app.jobs.registry import QUEUES

STATES = ("queued", "started", "failed", "scheduled")
ERROR_LINES = 4  # the end of a traceback says what went wrong
ERROR_CHARS = 400


def queue_depths(connection: Redis) -> dict[str, dict[str, int]]:
    """{queue: {state: count}} for every queue, in one round trip.

    "started" counts jobs whose worker is alive (heartbeat not expired), "failed"
    those not yet past their failure TTL: the same numbers RQ gives after a cleanup.
    """
    now = time.time()
    pipe = connection.pipeline(transaction=False)
    for name in QUEUES:
        pipe.llen(Queue(name, connection=connection).key)
        pipe.zcount(StartedJobRegistry(name, connection=connection).key, now, "+inf")
        pipe.zcount(FailedJobRegistry(name, connection=connection).key, now, "+inf")
        pipe.zcard(ScheduledJobRegistry(name, connection=connection).key)
    values = pipe.execute()
    depths = {}
    for index, name in enumerate(QUEUES):
        row = values[index * len(STATES) : (index + 1) * len(STATES)]
        depths[name] = dict(zip(STATES, (int(v) for v in row), strict=True))
    return depths


def totals(depths: dict[str, dict[str, int]]) -> dict[str, int]:
    return {state: sum(per_queue[state] for per_queue in depths.values()) for state in STATES}


@dataclass
class JobView:
    """One RQ job as the Jobs page shows it."""

    id: str
    queue: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    station_id: int | None = None
    status: str = ""
    error: str = ""
    traceback: str = ""
    enqueued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    retries_left: int | None = None
    message_id: int | None = None


def describe(job: Job, queue_name: str, *, with_error: bool = False) -> JobView:
    meta = job.meta or {}
    try:
        kwargs = job.kwargs or {}
    except Exception:  # noqa: BLE001 - a job that cannot be read is still listed
        kwargs = {}
    name = meta.get("job") or kwargs.get("job_name") or job.func_name or job.id
    args = kwargs.get("payload") if isinstance(kwargs.get("payload"), dict) else {}
    view = JobView(
        id=job.id,
        queue=queue_name,
        name=str(name),
        args=dict(args),
        station_id=meta.get("station_id"),
        status=str(job.get_status(refresh=False) or ""),
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
        retries_left=job.retries_left,
        message_id=meta.get("message_id") or kwargs.get("message_id"),
    )
    if with_error:
        text = _exc_string(job).strip()
        view.error = summarize(text)
        view.traceback = text
    return view


# The line that names the exception: "ValueError: bad data", "sqlalchemy.exc.Error: ...".
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?::|$)")


def summarize(exc_string: str) -> str:
    """What went wrong, in a line or two: where it was raised and the exception.

    The last lines of a traceback are not always that: a database error's message
    goes on with the SQL and its parameters. "Where" is the innermost frame of our own
    code (not a library's). Falls back to the last lines of text (an abandoned job's
    note is a single sentence).
    """
    lines = [line.rstrip() for line in exc_string.splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        if _EXCEPTION_LINE.match(lines[index]):
            summary = lines[index][:ERROR_CHARS]
            where = _where(lines[:index])
            return f"{where}\n{summary}" if where else summary
    return "\n".join(lines[-ERROR_LINES:])[:ERROR_CHARS]


_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<func>.+)$')


def _where(lines: list[str]) -> str:
    frames = [m for m in map(_FRAME.match, lines) if m]
    if not frames:
        return ""
    own = [m for m in frames if "site-packages" not in m["path"] and "/lib/python" not in m["path"]]
    frame = (own or frames)[-1]
    path = frame["path"]
    for marker in ("/app/", "/tests/", "/bench/"):
        if marker in path:
            path = marker.lstrip("/") + path.rsplit(marker, 1)[1]
            break
    return f"{path}:{frame['line']} in {frame['func']}"


def _exc_string(job: Job) -> str:
    result = job.latest_result()
    if result is not None and result.exc_string:
        return result.exc_string
    return job._exc_info or ""


def failed_jobs(connection: Redis, queue_name: str, limit: int = 200) -> list[JobView]:
    """The newest failures of a queue first (at most `limit`), not yet past their TTL."""
    registry = FailedJobRegistry(queue_name, connection=connection)
    entries = connection.zrevrangebyscore(registry.key, "+inf", time.time(), start=0, num=limit)
    jobs = Job.fetch_many([registry.parse_job_id(e) for e in entries], connection=connection)
    return [describe(job, queue_name, with_error=True) for job in jobs if job is not None]


def running_jobs(connection: Redis, queue_name: str, limit: int = 200) -> list[JobView]:
    """Jobs a live worker is running now (an expired heartbeat means abandoned, not running)."""
    registry = StartedJobRegistry(queue_name, connection=connection)
    entries = connection.zrangebyscore(registry.key, time.time(), "+inf", start=0, num=limit)
    jobs = Job.fetch_many([registry.parse_job_id(e) for e in entries], connection=connection)
    return [describe(job, queue_name) for job in jobs if job is not None]


def fetch(connection: Redis, job_id: str) -> Job | None:
    return Job.fetch_many([job_id], connection=connection)[0]
