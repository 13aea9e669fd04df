"""Writing notification rows and sending each at most once.

A row is written once per key (INSERT ... ON CONFLICT DO NOTHING on the unique key),
then sent by `send_notification`:

1. decide (policy): skip with a reason, defer (quiet hours: stays pending), or send;
2. claim: UPDATE ... SET status='sending' WHERE id=:id AND status='pending', committed,
   so only one worker ever owns the send;
3. call the provider with no database transaction open;
4. record the outcome with another guarded UPDATE: sent (+ provider id), failed,
   skipped, back to pending for a transient error (then `TransientError`, so RQ
   retries), or left in 'sending' when the provider may have taken it.

A row in 'sending' is never sent again: a worker killed between claim and outcome
leaves it there, and the Sent messages page shows it as "outcome unknown" for a person
to check (the provider's log has it or not).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.extensions import db, upsert_insert
from app.jobs.registry import TransientError
from app.models.base import utcnow
from app.models.outbox import Notification
from app.models.station import Station
from app.notifications import backends, compose, policy

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # transient failures before a row is given up as failed
SWEEP_GRACE = timedelta(minutes=2)  # fresh rows belong to the job that wrote them
SWEEP_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Spec:
    """One wanted message, before it is rendered and written."""

    key: str
    kind: str
    channel: str
    recipient: str
    purpose: str = policy.TRANSACTIONAL


def _insert_ignoring_duplicates(values: dict) -> None:
    db.session.execute(upsert_insert(Notification).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def store(specs: Iterable[Spec], *, station_id: int | None, booking_id: int | None, render) -> list[int]:
    """Write the rows not written yet (rendered by `render(spec)`); ids of all, in order.

    Commits: the rows exist before anything is sent, so a crash after this point
    leaves pending rows that the sweep (or a retry of the job) sends.
    """
    specs = list(specs)
    if not specs:
        return []
    keys = [spec.key for spec in specs]
    existing = set(db.session.scalars(select(Notification.key).where(Notification.key.in_(keys))))
    for spec in specs:
        if spec.key in existing:
            continue
        rendered = render(spec)
        _insert_ignoring_duplicates(
            {
                "key": spec.key,
                "station_id": station_id,
                "booking_id": booking_id,
                "kind": spec.kind,
                "channel": spec.channel,
                "purpose": spec.purpose,
                "recipient": spec.recipient or "",
                "subject": rendered.subject,
                "body_text": rendered.body_text,
                "body_html": rendered.body_html,
                "status": "pending",
                "backend": "",
                "attempts": 0,
                "created_at": utcnow(),
            }
        )
    db.session.commit()
    ids = dict(db.session.execute(select(Notification.key, Notification.id).where(Notification.key.in_(keys))).all())
    return [ids[key] for key in keys if key in ids]


# -- sending one ----------------------------------------------------------------------------


def _guarded(notification_id: int, from_status: str, **values) -> bool:
    """Move the row on only if it is still in `from_status`; commits; True if it moved."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _outgoing(notification: Notification) -> backends.Outgoing:
    from flask import current_app

    station = db.session.get(Station, notification.station_id) if notification.station_id else None
    headers: dict[str, str] = {}
    status_callback = None
    if notification.channel == "email":
        domain = backends.mail_domain(current_app.config.get("MAIL_FROM") or "")
        headers["Message-ID"] = make_msgid(idstring=f"n{notification.id}", domain=domain)
        if notification.purpose == policy.MARKETING and notification.booking_id:
            from app.models.booking import Booking

            booking = db.session.get(Booking, notification.booking_id)
            url = compose.public_url(
                "notification_webhooks.unsubscribe", token=compose.unsubscribe_token(booking.customer_id)
            )
            headers["List-Unsubscribe"] = f"<{url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        status_callback = compose.public_url("notification_webhooks.twilio_status")
    return backends.Outgoing(
        channel=notification.channel,
        to=notification.recipient,
        subject=notification.subject,
        body_text=notification.body_text,
        body_html=notification.body_html,
        from_name=station.name if station else "",
        reply_to=(station.email or None) if station else None,
        headers=headers,
        status_callback=status_callback,
    )


def _local_label(notification: Notification, when: datetime) -> str:
    station = db.session.get(Station, notification.station_id) if notification.station_id else None
    zone = ZoneInfo(station.timezone) if station else ZoneInfo("UTC")
    return when.astimezone(zone).strftime("%a %H:%M %Z")


def send_notification(notification_id: int, *, now: datetime | None = None) -> str:
    """Send one row at most once; returns its status afterwards ("deferred" when held).

    Raises `TransientError` when the provider failed in a way worth retrying (the row
    is pending again).
    """
    now = now or utcnow()
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return "missing"
    if notification.status != "pending":
        return notification.status
    if notification.attempts >= MAX_ATTEMPTS:
        _guarded(notification_id, "pending", status="failed", error=f"gave up after {notification.attempts} attempts")
        return "failed"

    decision = policy.decide(notification, now)
    if decision.action == "skip":
        _guarded(notification_id, "pending", status="skipped", skip_reason=decision.reason[:120])
        return "skipped"
    if decision.action == "defer":
        label = _local_label(notification, decision.until)
        _guarded(notification_id, "pending", skip_reason=f"deferred: {decision.reason} until {label}"[:120])
        return "deferred"

    outgoing = _outgoing(notification)
    backend = backends.backend_for(notification.channel)
    if not _guarded(
        notification_id, "pending", status="sending", backend=backend.name, attempts=Notification.attempts + 1
    ):
        return "claimed elsewhere"

    # The claim is committed: no transaction is open during the provider call.
    try:
        provider_id = backend.send(outgoing)
    except backends.TransientSendError as exc:
        _guarded(notification_id, "sending", status="pending", error=str(exc)[:2000])
        log.warning("notification %s: transient failure, will retry: %s", notification_id, exc)
        raise TransientError(f"notification {notification_id}: {exc}") from exc
    except backends.PermanentSendError as exc:
        if exc.skip_reason:
            _guarded(notification_id, "sending", status="skipped", skip_reason=exc.skip_reason, error=str(exc))
            return "skipped"
        _guarded(notification_id, "sending", status="failed", error=str(exc)[:2000])
        log.warning("notification %s failed: %s", notification_id, exc)
        return "failed"
    except backends.UncertainSendError as exc:
        _guarded(notification_id, "sending", error=f"outcome unknown, not retried: {exc}"[:2000])
        log.error("notification %s: outcome unknown, left in 'sending': %s", notification_id, exc)
        return "sending"
    except Exception as exc:
        # A bug, not a provider answer: it may or may not have gone out, so no retry.
        db.session.rollback()
        _guarded(notification_id, "sending", error=f"outcome unknown ({type(exc).__name__}: {exc})"[:2000])
        raise
    _guarded(notification_id, "sending", status="sent", provider_id=provider_id[:120], sent_at=utcnow(), error=None)
    return "sent"


def send_all(ids: Iterable[int], *, now: datetime | None = None) -> dict[str, int]:
    """Send each row; a transient failure of one does not stop the others.

    Raises `TransientError` at the end when any row is to be retried.
    """
    outcome: dict[str, int] = {}
    retry: list[str] = []
    for notification_id in ids:
        try:
            status = send_notification(notification_id, now=now)
        except TransientError as exc:
            retry.append(str(exc))
            status = "retry"
        outcome[status] = outcome.get(status, 0) + 1
    if retry:
        raise TransientError("; ".join(retry))
    return outcome


def sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send pending rows left behind: deferred past quiet hours, or a crashed job's.

    Never raises for transient failures: the rows stay pending for the next sweep.
    """
    now = now or utcnow()
    ids = db.session.scalars(
        select(Notification.id)
        .where(
            Notification.status == "pending",
            Notification.created_at >= now - SWEEP_WINDOW,
            Notification.created_at <= now - SWEEP_GRACE,
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    outcome: dict[str, int] = {}
    for notification_id in ids:
        try:
            status = send_notification(notification_id, now=now)
        except TransientError:
            status = "retry"
        outcome[status] = outcome.get(status, 0) + 1
    return outcome
