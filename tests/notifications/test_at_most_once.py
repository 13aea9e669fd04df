"""Each notification reaches its recipient once: re-runs, races, a worker killed mid-send."""

from __future__ import annotations

import time_machine
from sqlalchemy import update

from app.delivery import engine, machine
from app.delivery.email_smtp import SmtpBackend
from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import Notification
from app.notifications import jobs, planning
from app.notifications.sending import send_all
from tests.notifications.helpers import book_quietly, event_id, rows


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after the provider call runs (not an Exception)."""


def _kill_during(patch, to: str, *, after_handing_over: bool) -> None:
    real_send = SmtpBackend.send

    def send(self, message):
        if message.to == to:
            if after_handing_over:
                real_send(self, message)  # the server has it; the worker dies before recording it
            raise WorkerKilled
        return real_send(self, message)

    patch.setattr(SmtpBackend, "send", send)


def _run_killed(booking_id: int, created: int) -> None:
    try:
        jobs.booking_event(booking_id, "created", created)
    except WorkerKilled:
        db.session.rollback()


def test_a_claim_left_by_a_killed_worker_is_taken_over_once_its_lease_expires(svc, smtp, monkeypatch):
    booking_id = book_quietly(svc)
    created = event_id(booking_id, "created")
    with monkeypatch.context() as patch:
        _kill_during(patch, "ada@example.com", after_handing_over=False)
        _run_killed(booking_id, created)
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert (email.status, email.attempts) == ("sending", 1)
    assert email.lease_expires_at is not None

    # The dead worker had claimed the whole chunk (this booking's three rows). While the
    # lease runs, a rerun of the job (RQ's abandoned-job retry) leaves them alone.
    assert {n.status for n in rows(booking_id)} == {"sending"}
    jobs.booking_event(booking_id, "created", created)
    assert {n.status for n in rows(booking_id)} == {"sending"}
    assert smtp.messages == []

    # After the lease, the sweep takes them over: each recipient gets its message, once.
    with time_machine.travel(email.lease_expires_at + machine.LEASE / 10, tick=False):
        engine.sweep()
        engine.sweep()
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert (email.status, email.attempts) == ("sent", 2)
    assert rows(booking_id, kind="booking_received", channel="sms")[0].status == "recorded"
    assert sorted(m["To"] for m in smtp.messages) == ["ada@example.com", "manager@example.com"]


def test_a_retry_after_the_server_took_the_email_carries_the_same_message_id(svc, smtp, monkeypatch):
    booking_id = book_quietly(svc)
    with monkeypatch.context() as patch:
        _kill_during(patch, "ada@example.com", after_handing_over=True)
        _run_killed(booking_id, event_id(booking_id, "created"))
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    with time_machine.travel(email.lease_expires_at + machine.LEASE / 10, tick=False):
        engine.sweep()
    to_ada = [m for m in smtp.messages if m["To"] == "ada@example.com"]
    # SMTP cannot be asked what it has: the retry is the same message (one Message-ID), which
    # is what mail systems keep once; no second, different email ever reaches the customer.
    assert len(to_ada) == 2
    assert len({m["Message-ID"] for m in to_ada}) == 1
    assert rows(booking_id, kind="booking_received", channel="email")[0].provider_id == to_ada[0]["Message-ID"]


def test_rows_written_by_a_job_that_died_before_sending_are_swept(svc, smtp):
    booking_id = book_quietly(svc)
    ids = planning.for_booking_event(booking_id, "created", event_id(booking_id, "created"))  # then "dies"
    assert {n.status for n in rows(booking_id)} == {"queued"}
    engine.sweep()
    assert {(n.channel, n.status) for n in rows(booking_id)} == {("email", "sent"), ("sms", "recorded")}
    assert len(smtp.messages) == len([i for i in ids if db.session.get(Notification, i).channel == "email"])


def test_a_row_claimed_by_another_worker_is_not_sent_here(svc, smtp):
    booking_id = book_quietly(svc)
    (email_id, *_rest) = planning.for_booking_event(booking_id, "created", event_id(booking_id, "created"))
    # Another worker holds the claim (its lease still runs).
    db.session.execute(
        update(Notification)
        .where(Notification.id == email_id)
        .values(status="sending", attempts=1, lease_expires_at=utcnow() + machine.LEASE)
    )
    db.session.commit()
    assert send_all([email_id]) == {}
    assert [m["To"] for m in smtp.messages] == []
    assert db.session.get(Notification, email_id).status == "sending"


def test_a_transient_failure_is_retried_with_backoff_then_given_up(svc, smtp):
    booking_id = book_quietly(svc)
    (email_id, *others) = planning.for_booking_event(booking_id, "created", event_id(booking_id, "created"))
    # Only the customer's email is followed here: the server answers each RCPT with a 451.
    db.session.execute(update(Notification).where(Notification.id.in_(others)).values(status="suppressed"))
    db.session.commit()
    smtp.rcpt_replies.extend(["451 4.3.0 try again later"] * machine.MAX_ATTEMPTS)
    now = utcnow()
    assert send_all([email_id], now=now) == {"queued": 1}
    row = db.session.get(Notification, email_id)
    assert (row.status, row.attempts) == ("queued", 1)
    assert now + machine.backoff(1) <= row.not_before <= utcnow() + machine.backoff(1)
    assert "451" in row.error
    assert engine.sweep(now=now + machine.backoff(1) / 2).get("notification") is None  # not due yet
    for _attempt in range(2, machine.MAX_ATTEMPTS + 1):
        db.session.expire_all()
        with time_machine.travel(db.session.get(Notification, email_id).not_before, tick=False):
            engine.sweep()
    row = db.session.get(Notification, email_id)
    assert (row.status, row.attempts) == ("failed", machine.MAX_ATTEMPTS)
    assert row.reason == f"gave up after {machine.MAX_ATTEMPTS} attempts"
    assert smtp.messages == []
