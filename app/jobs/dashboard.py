"""Queue depths on the station dashboard, for those who may open the Jobs page.

"inline" when there is no Redis (jobs run in the web process); with Redis the jobs
waiting and failed across the queues; and this station's outbox messages waiting to
be handed over (non-zero for long only when Redis is down or no relay runs).
"""

from __future__ import annotations

from flask import has_request_context
from redis.exceptions import RedisError
from sqlalchemy import func, select

from app.dashboard.services import Stat, Window, contributes
from app.extensions import db
from app.jobs import stats
from app.jobs.queues import redis_connection
from app.models.outbox import OutboxMessage
from app.permissions import can


@contributes(order=80)
def job_numbers(station_id: int, window: Window) -> list[Stat]:
    if not (has_request_context() and can("jobs.view")):
        return []
    waiting = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.station_id == station_id, OutboxMessage.dispatched_at.is_(None))
    )
    outbox = Stat("Outbox waiting", waiting or 0, "jobs.index", tone="warn" if waiting else "")
    connection = redis_connection()
    if connection is None:
        return [Stat("Jobs queued", "inline", "jobs.index"), outbox]
    try:
        totals = stats.totals(stats.queue_depths(connection))
    except RedisError:
        return [Stat("Jobs queued", "Redis down", "jobs.index", tone="bad"), outbox]
    return [
        Stat("Jobs queued", totals["queued"] + totals["scheduled"], "jobs.index"),
        Stat("Jobs failed", totals["failed"], "jobs.index", tone="bad" if totals["failed"] else ""),
        outbox,
    ]
