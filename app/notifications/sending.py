"""Writing notification rows once, and sending them through the delivery layer.

A row is written once per key (INSERT ... ON CONFLICT DO NOTHING on the unique key) and
committed before anything is sent, so a crash after that point leaves queued rows that a
retry of the job or the delivery sweep sends. Sending is app.delivery's: this module only
says, per row, what the message is and whether the rules (app.notifications.policy:
address, relevance, consent, STOP, quiet hours) let it go now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.bookings.ics import booking_ics
from app.delivery import engine
from app.delivery.backends import backend_for
from app.delivery.engine import Plan
from app.delivery.outgoing import Attachment, Outgoing
from app.extensions import db, upsert_insert
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.delivery import QUEUED
from app.models.outbox import Notification
from app.models.station import Station
from app.notifications import compose, policy
from app.web.urls import public_url

SWEEP_WINDOW = timedelta(days=7)  # older rows are not picked up again by the sweep

# Emails that carry the booking's .ics: the confirmation, and the ones that change its time.
ICS_KINDS = frozenset({"booking_confirmed", "booking_rescheduled"})


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
    """Write the rows not written yet (rendered by `render(spec)`); ids of all, in order. Commits."""
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
                "status": QUEUED,
                "attempts": 0,
                "created_at": utcnow(),
            }
        )
    db.session.commit()
    ids = dict(db.session.execute(select(Notification.key, Notification.id).where(Notification.key.in_(keys))).all())
    return [ids[key] for key in keys if key in ids]


class NotificationSender(engine.Sender):
    name = "notification"
    model = Notification

    def scope(self, now: datetime) -> list:
        return [Notification.created_at >= now - SWEEP_WINDOW]

    def plan(self, rows: list[Notification], now: datetime) -> dict[int, Plan]:
        stations = {
            s.id: s for s in db.session.scalars(select(Station).where(Station.id.in_({r.station_id for r in rows})))
        }
        backends = {}
        plans = {}
        for row in rows:
            decision = policy.decide(row, now)
            if decision.action == "skip":
                plans[row.id] = Plan.suppress(decision.reason)
            elif decision.action == "defer":
                label = _local_label(stations.get(row.station_id), decision.until)
                plans[row.id] = Plan.defer(decision.until, f"deferred: {decision.reason} until {label}")
            else:
                if row.channel not in backends:
                    backends[row.channel] = backend_for(row.channel)
                plans[row.id] = Plan.send(self._outgoing(row, stations.get(row.station_id)), backends[row.channel])
        return plans

    def _outgoing(self, notification: Notification, station: Station | None) -> Outgoing:
        headers: dict[str, str] = {}
        status_callback = None
        if notification.channel == "email":
            if notification.purpose == policy.MARKETING and notification.booking_id:
                booking = db.session.get(Booking, notification.booking_id)
                url = public_url(
                    "notification_webhooks.unsubscribe", token=compose.unsubscribe_token(booking.customer_id)
                )
                headers["List-Unsubscribe"] = f"<{url}>"
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        else:
            status_callback = public_url("delivery_webhooks.twilio_status")
        attachments: tuple[Attachment, ...] = ()
        if notification.channel == "email" and notification.kind in ICS_KINDS and notification.booking_id and station:
            # The party as an .ics, made when it goes out (a retry carries the same event, UID and all).
            booking = db.session.get(Booking, notification.booking_id)
            attachments = (Attachment(f"{booking.reference}.ics", "text/calendar", booking_ics(booking, station)),)
        return Outgoing(
            channel=notification.channel,
            to=notification.recipient,
            idempotency_key=self.idempotency_key(notification.id),
            subject=notification.subject,
            body_text=notification.body_text,
            body_html=notification.body_html,
            from_name=station.name if station else "",
            reply_to=(station.email or None) if station else None,
            headers=headers,
            status_callback=status_callback,
            attachments=attachments,
        )


SENDER = engine.register(NotificationSender())


def _local_label(station: Station | None, when: datetime) -> str:
    zone = ZoneInfo(station.timezone) if station else ZoneInfo("UTC")
    return when.astimezone(zone).strftime("%a %H:%M %Z")


def send_all(ids: Iterable[int], *, now: datetime | None = None) -> dict[str, int]:
    """Send each row that is due, at most once; outcome counts by state.

    A transient failure leaves its row queued with a backoff: the delivery sweep retries it.
    """
    return dict(engine.deliver(SENDER, ids, now=now))
