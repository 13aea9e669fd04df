"""The Jobs page: queue depths, running and failed jobs (retry, discard), the outbox.

Jobs are business-wide (one Redis, shared queues): owners see every station's jobs,
managers their station's and those that belong to no station (periodic jobs). A job
of another station answers 404, as other stations' rows do everywhere. Without
REDIS_URL jobs run inline and the page shows the outbox only.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from flask import abort, g, render_template, url_for
from flask_login import current_user
from redis.exceptions import RedisError
from rq.exceptions import InvalidJobOperation
from sqlalchemy import func, select, update

from app import audit
from app.errors import Conflict, DomainError
from app.extensions import db
from app.jobs import bp, stats
from app.jobs.forms import JobForm
from app.jobs.queues import queue, redis_connection
from app.jobs.registry import QUEUES
from app.models.outbox import OutboxMessage
from app.models.station import Station
from app.models.user import Role
from app.permissions import require
from app.tenancy import scoped
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render

JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")  # what RQ 3 accepts
FAILED_SHOWN = 100
OUTBOX_SHOWN = 50


def _may_see(station_id: int | None) -> bool:
    return g.role == Role.OWNER or station_id is None or station_id == g.station_id


def _board_context() -> dict[str, Any]:
    connection = redis_connection()
    context: dict[str, Any] = {
        "inline": connection is None,
        "redis_error": None,
        "queues": QUEUES,
        "states": stats.STATES,
        "depths": {},
        "running": [],
        "failed": [],
        "failed_hidden": 0,
    }
    if connection is not None:
        try:
            context["depths"] = stats.queue_depths(connection)
            context["running"] = [
                job for name in QUEUES for job in stats.running_jobs(connection, name) if _may_see(job.station_id)
            ]
            failed = [job for name in QUEUES for job in stats.failed_jobs(connection, name)]
        except RedisError as exc:
            context["redis_error"] = str(exc) or type(exc).__name__
        else:
            visible = [job for job in failed if _may_see(job.station_id)]
            visible.sort(key=lambda job: job.ended_at.timestamp() if job.ended_at else 0, reverse=True)
            context["failed"] = visible[:FAILED_SHOWN]
            context["failed_hidden"] = len(visible) - len(context["failed"])
    context["outbox"] = list(
        db.session.scalars(scoped(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(OUTBOX_SHOWN))
    )
    context["outbox_waiting"] = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.station_id == g.station_id, OutboxMessage.dispatched_at.is_(None))
    )
    context["station_names"] = _station_names(context["running"] + context["failed"])
    return context


def _station_names(jobs: list[stats.JobView]) -> dict[int, str]:
    ids = {job.station_id for job in jobs if job.station_id is not None}
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(select(Station.id, Station.name).where(Station.id.in_(ids)))}


@bp.get("/")
@require("jobs.view")
def index():
    """Queues, running and failed jobs, and this station's outbox."""
    return render("jobs/index.html", "jobs/_board.html", **_board_context())


class JobsUnavailable(DomainError):
    status = 503
    code = "redis_unavailable"


def _failed_job_or_404():
    """The job named by the form's `job_id`, visible to this user, or 404 (400: no id)."""
    job_id = read_form(JobForm).job_id
    if not job_id:
        abort(400, description="Say which job: job_id is missing.")
    connection = redis_connection()
    if connection is None or not JOB_ID.fullmatch(job_id):
        abort(404)
    try:
        job = stats.fetch(connection, job_id)
    except RedisError:
        abort(503)
    if job is None or job.origin not in QUEUES or not _may_see((job.meta or {}).get("station_id")):
        abort(404)
    return job


def _answer(outcome: str | DomainError):
    """HTMX: the refreshed board and a toast; plain forms: back to the page (303)."""
    board = partial(render_template, "jobs/_board.html")
    return finish_mutation(outcome, back=url_for("jobs.index"), fragment=lambda _: board(**_board_context()))


def _audit(action: str, job, view: stats.JobView) -> None:
    audit.record(
        action,
        entity_type="Job",
        entity_id=job.id,
        station_id=view.station_id if view.station_id is not None else g.station_id,
        after={"job": view.name, "queue": view.queue, "args": view.args},
    )


GONE = "{} is no longer in the failed list."
REDIS_DOWN = "Redis is unreachable: try again in a moment."


@bp.post("/retry")
@require("jobs.view")
def retry():
    """Put a failed job back on its queue (it runs again: jobs are idempotent)."""
    job = _failed_job_or_404()
    view = stats.describe(job, job.origin)
    try:
        queue(job.origin).failed_job_registry.requeue(job)
    except InvalidJobOperation:
        return _answer(Conflict(GONE.format(view.name)))
    except RedisError:
        return _answer(JobsUnavailable(REDIS_DOWN))
    _audit("job.retried", job, view)
    return _answer(f"{view.name} is queued again.")


@bp.post("/discard")
@require("jobs.view")
def discard():
    """Delete a failed job: it will not run again."""
    job = _failed_job_or_404()
    view = stats.describe(job, job.origin)
    try:
        if job.id not in queue(job.origin).failed_job_registry:
            return _answer(Conflict(GONE.format(view.name)))
        job.delete()
    except RedisError:
        return _answer(JobsUnavailable(REDIS_DOWN))
    if view.message_id:
        # The outbox row says it was dispatched; say what became of it.
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == view.message_id)
            .values(last_error=f"job discarded from the failed list by {current_user.name}"[:500])
        )
    _audit("job.discarded", job, view)
    return _answer(f"{view.name} was discarded.")
