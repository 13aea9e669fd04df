"""The delivery state transitions (app.models.delivery), each one guarded UPDATE that commits.

A claim takes rows that are queued and due, or `sending` with an expired lease (their
worker died), sets `sending` with a fresh lease and counts the attempt; only the worker
whose UPDATE moved the row may send it. Outcomes are written one row at a time, as soon as
they are known, and only from `sending`: a late or repeated outcome changes nothing.

Outcome commits on PostgreSQL use `synchronous_commit = off`: a killed worker loses nothing
(the server still writes the commit), and only a crash of the database server itself could
forget the last fraction of a second of outcomes, which turns those rows into retries with
the same idempotency key. Claims stay synchronous.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, text, update

from app.extensions import db
from app.models.delivery import FAILED, QUEUED, SENDING, SUPPRESSED

# Long enough for one send (SMTP and Twilio time out within ~20 s), short enough that the
# sweep (every 15 s) takes over a dead worker's claims within about a minute.
# DELIVERY_LEASE_SECONDS overrides it (the crash tests use a few seconds).
LEASE = timedelta(seconds=45)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (10, 30, 60, 120, 300, 600, 900)  # after attempt 1, 2, ...


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


def claimable(model, now: datetime):
    """Queued and due, or claimed by a worker whose lease has run out."""
    due = or_(model.not_before.is_(None), model.not_before <= now)
    return or_(and_(model.status == QUEUED, due), and_(model.status == SENDING, model.lease_expires_at < now))


@dataclass
class Claim:
    ids: list[int] = field(default_factory=list)
    # Taken over from a worker that never recorded an outcome: id -> when that claim (or its
    # last renewal) began, which is no later than the attempt it may have made.
    taken_over: dict[int, datetime] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lease() -> timedelta:
    seconds = current_app.config.get("DELIVERY_LEASE_SECONDS")
    return timedelta(seconds=seconds) if seconds else LEASE


def claim(model, ids: list[int], now: datetime) -> Claim:
    """Claim the claimable rows among `ids` (committed before anything is sent)."""
    if not ids:
        return Claim()
    lease_for = lease()
    candidates = select(model.id, model.status, model.lease_expires_at).where(model.id.in_(ids), claimable(model, now))
    if _postgresql():
        candidates = candidates.with_for_update(skip_locked=True)  # concurrent claimers skip each other
    found = db.session.execute(candidates.order_by(model.id)).all()
    if not found:
        db.session.commit()
        return Claim()
    claimed = db.session.execute(
        update(model)
        .where(model.id.in_([row.id for row in found]), claimable(model, now))
        .values(status=SENDING, lease_expires_at=now + lease_for, attempts=model.attempts + 1)
        .returning(model.id, model.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    attempts = {row.id: row.attempts for row in claimed}
    taken_over = {
        row.id: row.lease_expires_at - lease_for for row in found if row.status == SENDING and row.id in attempts
    }
    return Claim(ids=sorted(attempts), taken_over=taken_over, attempts=attempts)


def _from_sending(model, row_id: int, **values: Any) -> bool:
    """Move a claimed row on (only if it is still `sending`); commits; True if it moved.

    A Core UPDATE on the table (no ORM bookkeeping): one is written for every message sent.
    """
    table = model.__table__
    if _postgresql():
        db.session.execute(_ASYNC_COMMIT)
    result = db.session.execute(
        table.update().where(table.c.id == row_id, table.c.status == SENDING).values(lease_expires_at=None, **values)
    )
    db.session.commit()
    return result.rowcount == 1


def finish(model, row_id: int, status: str, **values: Any) -> bool:
    """sent / recorded / failed / suppressed."""
    return _from_sending(model, row_id, status=status, **values)


def suppress(model, row_id: int, reason: str) -> bool:
    return finish(model, row_id, SUPPRESSED, reason=reason[:200])


def fail(model, row_id: int, reason: str, error: str | None = None) -> bool:
    return finish(model, row_id, FAILED, reason=reason[:200], error=(error or reason)[:2000])


def retry_later(model, row_id: int, attempts: int, now: datetime, error: str) -> str:
    """Not taken by the provider: queued again after the backoff, or failed after MAX_ATTEMPTS."""
    if attempts >= MAX_ATTEMPTS:
        fail(model, row_id, f"gave up after {attempts} attempts", error)
        return FAILED
    _from_sending(model, row_id, status=QUEUED, not_before=now + backoff(attempts), error=error[:2000])
    return QUEUED


def defer(model, row_id: int, until: datetime, reason: str) -> bool:
    """Held back by a rule until `until` (quiet hours): queued again; the claim was no attempt."""
    attempts = model.__table__.c.attempts
    return _from_sending(model, row_id, status=QUEUED, not_before=until, reason=reason[:200], attempts=attempts - 1)


def unknown_outcome(model, row_id: int, attempts: int, error: str) -> str:
    """The provider may have it: the claim stays until its lease ends, then the next attempt
    (a take-over) asks the provider or resends under the same idempotency key."""
    if attempts >= MAX_ATTEMPTS:
        fail(model, row_id, f"outcome unknown after {attempts} attempts", error)
        return FAILED
    db.session.execute(
        update(model)
        .where(model.id == row_id, model.status == SENDING)
        .values(error=f"outcome unknown, to be checked and retried: {error}"[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return SENDING


def renew(model, ids: list[int], now: datetime) -> None:
    """Extend the lease of claimed rows still waiting for their turn in this worker."""
    if not ids:
        return
    db.session.execute(
        update(model)
        .where(model.id.in_(ids), model.status == SENDING)
        .values(lease_expires_at=now + lease())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
