"""The transactional outbox: emit in the caller's transaction, relay after commit.

`emit()` adds a row to the session; nothing leaves the process until the transaction
commits. The relay then enqueues each undispatched row on RQ with a deterministic job
id (`outbox-<id>`, `unique=True`), or runs it inline when there is no Redis, and marks
it dispatched. Anything left behind (Redis down, a crash between commit and relay) is
picked up by the periodic relay (`outbox.relay`); on PostgreSQL concurrent relays skip
each other's rows (FOR UPDATE SKIP LOCKED), and a message enqueued by a relay that
died before marking it is refused by RQ (DuplicateJobError) and only marked.

Inline mode (no REDIS_URL) claims a message by marking it dispatched and "running
inline" in one conditional UPDATE, so two relays (threads of `flask run`, the
scheduler) never run it at once; a failure puts it back (undispatched, with the
error) for the next relay, up to MAX_INLINE_ATTEMPTS; a claim left by a process that
died mid-job is taken over after INLINE_LEASE.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import registry
from app.jobs.queues import queue, redis_connection
from app.jobs.runner import AFTER_COMMIT, attempt_inline, raise_inline_errors
from app.models.base import utcnow
from app.models.outbox import OutboxMessage

log = logging.getLogger(__name__)
MAX_INLINE_ATTEMPTS = 5
INLINE_LEASE = timedelta(minutes=15)
RUNNING_INLINE = "running inline"
# How long RQ keeps a finished job's hash, and with it the `unique=True` guard against
# a second enqueue of the same message (RQ's default is 500 s).
RESULT_TTL = 24 * 3600
FAILURE_TTL = 14 * 24 * 3600


def job_id_for(message_id: int) -> str:
    return f"outbox-{message_id}"


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
    except Exception:
        log.exception("outbox relay after commit failed")
        db.session.rollback()
        return 0


# -- the relay ----------------------------------------------------------------------------


def _pending(limit: int) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def relay(limit: int = 200) -> int:
    """Dispatch undispatched messages; returns how many were handed over."""
    if redis_connection() is None:
        return _relay_inline(limit)
    messages = _pending(limit)
    handed = 0
    for message in messages:
        try:
            _enqueue(message)
        except DuplicateJobError:
            pass  # enqueued by an earlier relay that died before marking it
        except RedisError as exc:
            message.attempts += 1
            message.last_error = f"enqueue failed: {exc}"[:500]
            log.warning("outbox relay: Redis unavailable (%s), %s message(s) wait", exc, len(messages) - handed)
            break
        except Exception as exc:
            message.attempts += 1
            message.last_error = f"cannot enqueue: {exc!r}"[:500]
            log.exception("outbox relay: message %s (%s) cannot be enqueued", message.id, message.job)
            continue
        message.dispatched_at = utcnow()
        handed += 1
    db.session.commit()
    return handed


def _enqueue(message: OutboxMessage) -> None:
    spec = registry.spec(message.job)
    retry = Retry(max=spec.retries, interval=registry.RETRY_INTERVALS[: spec.retries]) if spec.retries else None
    queue(spec.queue).enqueue_call(
        "app.jobs.runner.run",
        kwargs={"job_name": message.job, "payload": dict(message.payload or {}), "message_id": message.id},
        job_id=job_id_for(message.id),
        unique=True,
        timeout=spec.timeout,
        retry=retry,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=f"{message.job} {message.key}",
        meta={"station_id": message.station_id, "job": message.job, "key": message.key, "message_id": message.id},
    )


def _inline_claimable(now):
    """Undispatched, or claimed by an inline run that has not finished within the lease."""
    stale = (OutboxMessage.last_error == RUNNING_INLINE) & (OutboxMessage.dispatched_at < now - INLINE_LEASE)
    return or_(OutboxMessage.dispatched_at.is_(None), stale) & (OutboxMessage.attempts < MAX_INLINE_ATTEMPTS)


def _relay_inline(limit: int) -> int:
    """No Redis: run each message here, in its own app context, one claim at a time."""
    now = utcnow()
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id).where(_inline_claimable(now)).order_by(OutboxMessage.id).limit(limit)
        )
    )
    db.session.commit()
    done = 0
    for message_id in ids:
        now = utcnow()
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _inline_claimable(now))
            .values(dispatched_at=now, attempts=OutboxMessage.attempts + 1, last_error=RUNNING_INLINE)
        )
        db.session.commit()  # the claim is visible before the job runs (and holds no lock)
        if claimed.rowcount != 1:
            continue  # another relay has it
        message = db.session.get(OutboxMessage, message_id)
        job, payload = message.job, dict(message.payload or {})
        db.session.commit()
        error = attempt_inline(job, payload, message_id)
        if error is None:
            values: dict[str, Any] = {"last_error": None}
            done += 1
        else:
            values = {"dispatched_at": None, "last_error": f"failed inline: {error!r}"[:500]}
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
        db.session.commit()
        if error is not None and raise_inline_errors():
            raise error
    return done


AFTER_COMMIT.append(relay_if_due)  # what a job emits goes out right after the job's commit


def init_app(app) -> None:
    """Relay after every request whose commit wrote outbox rows."""

    @app.after_request
    def _relay_after_request(response):
        relay_if_due()
        return response
