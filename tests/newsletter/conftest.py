"""Newsletter fixtures: the isolated world, the local SMTP server and Twilio fake of the
notification tests, bulk subscribers (one INSERT), and a driver that runs the outbox's
batch jobs one at a time (so a test can act between two batches)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from app.extensions import db
from app.models.base import utcnow
from app.models.newsletter import Campaign, Segment, Subscriber
from app.models.outbox import OutboxMessage
from app.newsletter import sending
from tests.notifications.conftest import _inline_job_errors_raise, smtp, smtp_server, twilio  # noqa: F401
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401

SEGMENT_NUMBERS = itertools.count(1)
CONSENT_EMAIL = "Email me news and offers from Alpha. Unsubscribe any time."
CONSENT_SMS = "Text me offers. Msg & data rates may apply. Reply STOP to stop."


@pytest.fixture
def svc(app, world):
    """An app context (no request, as in a worker) and the world's station alpha id."""
    with app.app_context():
        yield world.station.id


def add_subscribers(
    station_id: int, count: int, *, prefix: str = "sub", channel: str = "email", tags: str = "[]"
) -> None:
    """`count` subscribed subscribers in one INSERT ... SELECT generate_series."""
    db.session.execute(
        text(
            """
            INSERT INTO subscribers (station_id, email, phone, name, email_status, sms_status, tags, source,
                                     created_at, updated_at)
            SELECT :station_id,
                   CASE WHEN :channel = 'email' THEN :prefix || n || '@example.com' END,
                   CASE WHEN :channel = 'sms' THEN '+1404' || lpad((5550000 + n)::text, 7, '0') END,
                   'Subscriber ' || n,
                   CASE WHEN :channel = 'email' THEN 'subscribed' ELSE 'unsubscribed' END,
                   CASE WHEN :channel = 'sms' THEN 'subscribed' ELSE 'unsubscribed' END,
                   CAST(:tags AS json), 'test', now(), now()
            FROM generate_series(1, :count) AS n
            """
        ),
        {"station_id": station_id, "count": count, "prefix": prefix, "channel": channel, "tags": tags},
    )
    db.session.flush()


def subscriber(station_id: int, **fields: Any) -> Subscriber:
    values = {
        "name": "Ada Lovelace",
        "email_status": "unsubscribed",
        "sms_status": "unsubscribed",
        "tags": [],
        "source": "test",
    }
    values.update(fields)
    row = Subscriber(station_id=station_id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def campaign(
    station_id: int, *, channel: str = "email", rules: dict | None = None, body: str | None = None, **fields
) -> Campaign:
    segment = Segment(station_id=station_id, name=f"Segment {next(SEGMENT_NUMBERS)}", rules=rules or {})
    db.session.add(segment)
    db.session.flush()
    row = Campaign(
        station_id=station_id,
        name="Spring parties",
        channel=channel,
        subject="Hello {first_name}" if channel == "email" else "",
        body=body or "Hi {first_name}, book now: https://teppan.example/book",
        segment_id=segment.id,
        **{"status": "draft", **fields},
    )
    db.session.add(row)
    db.session.flush()
    return row


def pending_batches() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.job == "newsletter.send_batch", OutboxMessage.dispatched_at.is_(None))
            .order_by(OutboxMessage.id)
        )
    )


def run_batches(app: Flask, between: Callable[[int], None] | None = None, limit: int = 1000) -> int:
    """Run the emitted `newsletter.send_batch` jobs one at a time, as a worker takes them off
    the queue, each in an app context of its own; `between(n)` runs after the n-th batch,
    outside any app context (so its requests are requests of their own). Returns how many ran.

    The outbox rows are marked dispatched here and the after-commit relay is switched off,
    or the inline relay would run the whole chain at once.
    """
    ran = 0
    while ran < limit:
        with app.app_context():
            messages = pending_batches()
            if not messages:
                return ran
            message = messages[0]
            message.dispatched_at = utcnow()
            payload = dict(message.payload)
            db.session.commit()
            sending.send_batch(**payload)  # what the job runs on a worker (with Redis)
            db.session.commit()
            db.session.info.pop("relay_due", None)
        ran += 1
        if between is not None:
            between(ran)
    raise AssertionError("the batches never ended")
