"""The Sent messages list: notifications (email and SMS) and account emails, one timeline.

Account emails (password reset, invitation) keep their own table (app.models.mail:
sent from the request that asks for them, no booking, no consent rules); customer,
chef and staff notifications are `Notification` rows. The page reads both through
one UNION ALL ordered by time, so owners see everything that left (or was recorded)
in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, literal, select, union_all

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import EmailMessage
from app.models.outbox import Notification

# A row still in 'sending' after this long was claimed by a worker that never came back
# (killed, or the provider's answer was lost): it is not retried, a person checks it.
STUCK_AFTER = timedelta(minutes=10)

STATUSES = ("pending", "sending", "sent", "failed", "skipped")
# Account emails use their own words for the same states.
EMAIL_STATUSES = {"pending": ("queued",), "sent": ("sent", "recorded")}


@dataclass
class MessageRow:
    source: str  # notification | account
    id: int
    created_at: datetime
    station_id: int | None
    channel: str
    kind: str
    purpose: str
    recipient: str
    subject: str
    body_text: str
    status: str
    backend: str
    provider_id: str | None
    delivery_status: str | None
    skip_reason: str | None
    error: str | None
    attempts: int
    sent_at: datetime | None
    booking_id: int | None = None

    @property
    def outcome_unknown(self) -> bool:
        if self.status != "sending":
            return False
        return (self.error or "").startswith("outcome unknown") or utcnow() - self.created_at > STUCK_AFTER

    @property
    def deferred(self) -> bool:
        return self.status == "pending" and (self.skip_reason or "").startswith("deferred")


def _from_notification(n: Notification) -> MessageRow:
    return MessageRow(
        source="notification",
        id=n.id,
        created_at=n.created_at,
        station_id=n.station_id,
        channel=n.channel,
        kind=n.kind,
        purpose=n.purpose,
        recipient=n.recipient,
        subject=n.subject or n.body_text[:80],
        body_text=n.body_text,
        status=n.status,
        backend=n.backend,
        provider_id=n.provider_id,
        delivery_status=n.delivery_status,
        skip_reason=n.skip_reason,
        error=n.error,
        attempts=n.attempts,
        sent_at=n.sent_at,
        booking_id=n.booking_id,
    )


def _from_email(m: EmailMessage) -> MessageRow:
    status = {"queued": "pending", "recorded": "sent"}.get(m.status, m.status)
    return MessageRow(
        source="account",
        id=m.id,
        created_at=m.created_at,
        station_id=m.station_id,
        channel="email",
        kind=m.kind,
        purpose="account",
        recipient=m.to_address,
        subject=m.subject,
        body_text=m.text_body,
        status=status,
        backend="recorded" if m.status == "recorded" else ("smtp" if m.status in ("sent", "sending") else ""),
        provider_id=None,
        delivery_status=None,
        skip_reason=None,
        error=m.error,
        attempts=1 if m.sent_at else 0,
        sent_at=m.sent_at,
    )


class _UnionPagination(Pagination):
    def _query_items(self) -> list[MessageRow]:
        union = self._query_args["union"]
        keys = db.session.execute(
            select(union.c.source, union.c.id)
            .order_by(union.c.created_at.desc(), union.c.source, union.c.id.desc())
            .limit(self.per_page)
            .offset((self.page - 1) * self.per_page)
        ).all()
        wanted = {"n": [i for s, i in keys if s == "n"], "e": [i for s, i in keys if s == "e"]}
        loaded = {}
        if wanted["n"]:
            for n in db.session.scalars(select(Notification).where(Notification.id.in_(wanted["n"]))):
                loaded[("n", n.id)] = _from_notification(n)
        if wanted["e"]:
            for m in db.session.scalars(select(EmailMessage).where(EmailMessage.id.in_(wanted["e"]))):
                loaded[("e", m.id)] = _from_email(m)
        return [loaded[key] for key in ((s, i) for s, i in keys) if key in loaded]

    def _query_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(self._query_args["union"])) or 0


def sent_messages(
    *, page: int, per_page: int = 25, channel: str = "", status: str = "", station_id: int | None = None
) -> Pagination:
    notifications = select(literal("n").label("source"), Notification.id, Notification.created_at)
    emails = select(literal("e").label("source"), EmailMessage.id, EmailMessage.created_at)
    if channel in ("email", "sms"):
        notifications = notifications.where(Notification.channel == channel)
    if status in STATUSES:
        notifications = notifications.where(Notification.status == status)
        emails = emails.where(EmailMessage.status.in_(EMAIL_STATUSES.get(status, (status,))))
    if station_id:
        notifications = notifications.where(Notification.station_id == station_id)
        emails = emails.where(EmailMessage.station_id == station_id)
    union = (notifications if channel == "sms" else union_all(notifications, emails)).subquery()
    return _UnionPagination(page=max(page, 1), per_page=per_page, max_per_page=100, error_out=False, union=union)
