"""The transactional outbox: emit in the caller's transaction, relay after commit.

`emit()` adds a row to the session; nothing leaves the process until the transaction
commits. The relay then enqueues each undispatched row on RQ with a deterministic job
id (`outbox-<id>`, `unique=True`), or runs it inline when there is no Redis, and marks
it dispatched. Anything left behind (Redis down, a crash between commit and relay) is
picked up by the periodic relay; on PostgreSQL concurrent relays skip each other's
rows (FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import registry
from app.jobs.queues import queue, redis_connection
from app.models.base import utcnow
from app.models.outbox import OutboxMessage

log = logging.getLogger(__name__)
MAX_INLINE_ATTEMPTS = 5


def emit(job: str, *, key: str, station_id: int | None = None, **payload: Any) -> OutboxMessage | None:
    """Ask for `job(**payload)` once this transaction commits; a repeated key is a no-op."""
    registry.spec(job)  # fail now on a typo, not in the worker
    exists = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    if exists is not None:
        return None
    pending = [m for m in db.session.new if isinstance(m, OutboxMessage) and m.key == key]
    if pending:
        return None
    message = OutboxMessage(job=job, key=key, station_id=station_id, payload=payload)
    db.session.add(message)
    return message


# -- after-commit trigger -----------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _note_outbox_rows(session: Session, flush_context) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["outbox_written"] = True


@event.listens_for(Session, "after_commit")
def _mark_relay_due(session: Session) -> None:
    if session.info.pop("outbox_written", False):
        session.info["relay_due"] = True


@event.listens_for(Session, "after_rollback")
def _forget_rows(session: Session) -> None:
    session.info.pop("outbox_written", None)


def relay_if_due() -> int:
    """Relay when the last commit wrote outbox rows (called after requests and jobs)."""
    if not db.session.info.pop("relay_due", False):
        return 0
    try:
        return relay()
    except Exception:  # noqa: BLE001 - the periodic relay will catch up
        log.exception("outbox relay after commit failed")
        db.session.rollback()
        return 0


# -- the relay ----------------------------------------------------------------------------


def _pending(limit: int, inline: bool) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    if inline:
        stmt = stmt.where(OutboxMessage.attempts < MAX_INLINE_ATTEMPTS)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def relay(limit: int = 200) -> int:
    """Dispatch undispatched messages; returns how many were handed over."""
    if redis_connection() is None:
        return _relay_inline(limit)
    messages = _pending(limit, inline=False)
    handed = 0
    for message in messages:
        spec = registry.spec(message.job)
        try:
            queue(spec.queue).enqueue_call(
                "app.jobs.runner.run",
                kwargs={"job_name": message.job, "payload": message.payload, "message_id": message.id},
                job_id=f"outbox-{message.id}",
                unique=True,
                timeout=spec.timeout,
                retry=Retry(max=spec.retries, interval=registry.RETRY_INTERVALS[: spec.retries]) if spec.retries else None,
                failure_ttl=14 * 24 * 3600,
                meta={"station_id": message.station_id, "job": message.job, "key": message.key},
            )
        except DuplicateJobError:
            pass  # enqueued by an earlier relay that crashed before marking it
        except RedisError as exc:
            message.attempts += 1
            message.last_error = f"enqueue failed: {exc}"[:500]
            log.warning("outbox relay: Redis unavailable, %s message(s) wait", len(messages) - handed)
            break
        message.dispatched_at = utcnow()
        handed += 1
    db.session.commit()
    return handed


def _relay_inline(limit: int) -> int:
    """No Redis: run each message here, marking it dispatched only when it succeeded."""
    from app.jobs.runner import run_inline

    done = 0
    for message_id in [m.id for m in _pending(limit, inline=True)]:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.dispatched_at.is_(None))
            .values(attempts=OutboxMessage.attempts + 1)
        )
        db.session.commit()
        if claimed.rowcount != 1:
            continue
        message = db.session.get(OutboxMessage, message_id)
        if run_inline(message.job, dict(message.payload), message.id):
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(dispatched_at=utcnow())
            )
            done += 1
        else:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(last_error="failed inline")
            )
        db.session.commit()
    return done


def init_app(app) -> None:
    """Relay after every request whose commit wrote outbox rows."""

    @app.after_request
    def _relay_after_request(response):
        relay_if_due()
        return response

