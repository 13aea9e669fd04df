"""Senders plug into one loop: claim, plan, send with no transaction open, record, hand over.

A `Sender` knows one table of outgoing rows: `plan()` turns claimed rows into what to do
(send this Outgoing with this backend, or hold it back with a reason), `after()` and
`after_batch()` do what follows an outcome (publish a review reply, finish a campaign).
`deliver(sender, ids)` works through ids in chunks; `sweep()` finds, for every sender, rows
that are due (a deferral or backoff has passed) or whose claim's lease has run out, and
delivers them. A row taken over from a dead worker is retried only when the backend says
a retry cannot make a second message, and after asking the provider where it can.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select

from app.delivery import machine
from app.delivery.outgoing import (
    Backend,
    Outgoing,
    PermanentSendError,
    TransientSendError,
    UncertainSendError,
)
from app.extensions import db
from app.models.base import utcnow
from app.models.delivery import DELIVERY_RANK, FAILED, FINISHED, RECORDED, SENT, SUPPRESSED

log = logging.getLogger(__name__)

CHUNK = 50  # rows claimed at a time; their leases are renewed while the chunk is worked through
DEFERRED = "deferred"
UNKNOWN_AFTER_CRASH = (
    "outcome unknown: the worker stopped during the send and this provider cannot tell whether it "
    "arrived; check with the customer or the provider before sending it again"
)


@dataclass(frozen=True)
class Plan:
    """What to do with one claimed row."""

    action: str  # send | done | suppress | defer | fail
    outgoing: Outgoing | None = None
    backend: Backend | None = None
    reason: str = ""
    until: datetime | None = None
    # A send window that closes while the chunk is worked through (quiet hours begin): from
    # `hold_from` the row is deferred to `until` instead of being sent.
    hold_from: datetime | None = None

    @classmethod
    def send(cls, outgoing: Outgoing, backend: Backend, *, hold=None) -> Plan:
        """`hold`: (from, until) — not sent from `from` on, deferred to `until` instead."""
        hold_from, until = hold or (None, None)
        return cls("send", outgoing=outgoing, backend=backend, hold_from=hold_from, until=until, reason="quiet hours")

    @classmethod
    def done(cls, backend_name: str) -> Plan:
        """Nothing to hand to a provider (web chat, a review reply): sent by being stored."""
        return cls("done", reason=backend_name)

    @classmethod
    def suppress(cls, reason: str) -> Plan:
        return cls("suppress", reason=reason)

    @classmethod
    def defer(cls, until: datetime, reason: str) -> Plan:
        return cls("defer", until=until, reason=reason)

    @classmethod
    def fail(cls, reason: str) -> Plan:
        return cls("fail", reason=reason)


class Sender:
    """One table of outgoing rows (with app.models.delivery.DeliveryState columns)."""

    name: ClassVar[str]
    model: ClassVar[type]
    # The columns that tell a provider report which row it is about (provider_id + channel).
    has_channel_column: ClassVar[bool] = True

    def idempotency_key(self, row_id: int) -> str:
        return f"{self.name}-{row_id}"

    def scope(self, now: datetime) -> list[Any]:
        """Extra conditions for the rows the sweep may take (e.g. only running campaigns)."""
        return []

    def plan(self, rows: list, now: datetime) -> dict[int, Plan]:
        raise NotImplementedError

    def after(self, row_id: int, status: str) -> None:
        """Called once the row reached a finished state (committed)."""

    def after_batch(self, ids: list[int]) -> None:
        """Called after a chunk was worked through."""


SENDERS: dict[str, Sender] = {}


def register(sender: Sender) -> Sender:
    SENDERS[sender.name] = sender
    return sender


def deliver(sender: Sender, ids: Iterable[int], *, now: datetime | None = None) -> Counter[str]:
    """Send the claimable rows among `ids`, each at most once; outcome counts by state."""
    ids = list(ids)
    outcome: Counter[str] = Counter()
    for start in range(0, len(ids), CHUNK):
        outcome += _deliver_chunk(sender, ids[start : start + CHUNK], now)
    return outcome


def _deliver_chunk(sender: Sender, ids: list[int], now: datetime | None) -> Counter[str]:
    model = sender.model
    now = now or utcnow()
    claim = machine.claim(model, ids, now)
    outcome: Counter[str] = Counter()
    if not claim.ids:
        return outcome
    for row_id in [i for i in claim.ids if claim.attempts[i] > machine.MAX_ATTEMPTS]:
        machine.fail(model, row_id, f"gave up after {claim.attempts[row_id] - 1} attempts")
        claim.ids.remove(row_id)
        outcome[FAILED] += 1
    rows = list(db.session.scalars(select(model).where(model.id.in_(claim.ids)).order_by(model.id)))
    try:
        plans = sender.plan(rows, now)
    except Exception as exc:
        log.exception("%s: %s row(s) cannot be prepared for sending", sender.name, len(rows))
        db.session.rollback()
        plans = {row_id: Plan.fail(f"not sent: {type(exc).__name__}: {exc}") for row_id in claim.ids}
    db.session.commit()  # no transaction stays open across the provider calls

    renewed_at = utcnow()
    for position, row_id in enumerate(claim.ids):
        status = _carry_out(sender, row_id, plans.get(row_id) or Plan.fail("not sent: nothing to send"), claim)
        outcome[status] += 1
        if status in FINISHED:
            sender.after(row_id, status)
        if utcnow() - renewed_at > machine.lease() / 3:
            renewed_at = utcnow()
            machine.renew(model, claim.ids[position + 1 :], renewed_at)
    sender.after_batch(claim.ids)
    return outcome


def _carry_out(sender: Sender, row_id: int, plan: Plan, claim: machine.Claim) -> str:
    model, attempts = sender.model, claim.attempts[row_id]
    if plan.action == "suppress":
        machine.suppress(model, row_id, plan.reason)
        return SUPPRESSED
    if plan.action == "defer":
        machine.defer(model, row_id, plan.until, plan.reason)
        return DEFERRED
    if plan.action == "fail":
        machine.fail(model, row_id, plan.reason)
        return FAILED
    if plan.action == "done":
        machine.finish(model, row_id, SENT, backend=plan.reason, sent_at=utcnow(), error=None)
        return SENT

    backend, outgoing = plan.backend, plan.outgoing
    if plan.hold_from is not None and utcnow() >= plan.hold_from:
        machine.defer(model, row_id, plan.until, f"deferred: {plan.reason}")
        return DEFERRED
    if row_id in claim.taken_over:
        if not backend.retry_is_safe:
            machine.fail(model, row_id, "outcome unknown", UNKNOWN_AFTER_CRASH)
            return FAILED
        try:
            found = backend.find_sent(outgoing, claim.taken_over[row_id])
        except TransientSendError as exc:
            return machine.unknown_outcome(model, row_id, attempts, str(exc))
        if found:
            machine.finish(model, row_id, SENT, backend=backend.name, provider_id=found[:255], sent_at=utcnow())
            return SENT
    try:
        provider_id = backend.send(outgoing)
    except TransientSendError as exc:
        log.warning("%s %s: not sent, will retry: %s", sender.name, row_id, exc)
        return machine.retry_later(model, row_id, attempts, utcnow(), str(exc))
    except PermanentSendError as exc:
        if exc.suppress_reason:
            machine.finish(model, row_id, SUPPRESSED, reason=exc.suppress_reason[:200], error=str(exc)[:2000])
            return SUPPRESSED
        log.warning("%s %s refused: %s", sender.name, row_id, exc)
        machine.fail(model, row_id, "refused by the provider", str(exc))
        return FAILED
    except UncertainSendError as exc:
        log.error("%s %s: outcome unknown: %s", sender.name, row_id, exc)
        if backend.retry_is_safe:
            return machine.unknown_outcome(model, row_id, attempts, str(exc))
        machine.fail(model, row_id, "outcome unknown", f"{UNKNOWN_AFTER_CRASH} ({exc})")
        return FAILED
    except Exception as exc:
        # A bug, not a provider answer: it may or may not have gone, so it is treated as unknown.
        db.session.rollback()
        machine.unknown_outcome(model, row_id, attempts, f"{type(exc).__name__}: {exc}")
        raise
    status = RECORDED if backend.records_only else SENT
    machine.finish(
        model,
        row_id,
        status,
        backend=backend.name,
        provider_id=provider_id[:255],
        sent_at=utcnow(),
        error=None,
        reason=None,
    )
    return status


# -- the sweep --------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, Counter[str]]:
    """Deliver what is due or was left claimed by a dead worker, for every sender."""
    now = now or utcnow()
    done = {}
    for sender in SENDERS.values():
        model = sender.model
        ids = list(
            db.session.scalars(
                select(model.id)
                .where(machine.claimable(model, now), *sender.scope(now))
                .order_by(model.id)
                .limit(limit)
            )
        )
        db.session.commit()
        if ids:
            done[sender.name] = deliver(sender, ids, now=now)
    return done


# -- provider reports -------------------------------------------------------------------------


def record_provider_status(
    channel: str, provider_id: str, status: str, error_code: str | None = None, *, provider: str = "Twilio"
) -> bool:
    """A delivery report (Twilio's status callback) for one of our rows; True when it is ours.

    Commits. Reports arrive out of order: a later state is never overwritten by an earlier one.
    """
    status = status.lower()[:32]
    for sender in SENDERS.values():
        model = sender.model
        criteria = [model.provider_id == provider_id]
        if sender.has_channel_column:
            criteria.append(model.channel == channel)
        stmt = select(model).where(*criteria).limit(1)
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = db.session.scalar(stmt)
        if row is None:
            continue
        if DELIVERY_RANK.get(status, 0) >= DELIVERY_RANK.get(row.delivery_status or "", 0):
            row.delivery_status = status
            if error_code:
                row.error = f"{provider} error {error_code[:20]} ({status})"
        db.session.commit()
        return True
    db.session.rollback()
    return False
