"""The delivery engine's promises, on PostgreSQL, through a real sender (inbox replies) and a
counting backend: once per message, claims with leases, take-overs, provider reports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import update

from app.delivery import engine, machine
from app.delivery.outgoing import Outgoing, PermanentSendError, UncertainSendError
from app.extensions import db
from app.inbox import sending
from app.inbox.inbound import Inbound, receive
from app.inbox.outbound import queue_reply
from app.inbox.sending import send_message
from app.models.base import utcnow
from app.models.conversation import Message
from app.models.delivery import SENDING
from app.models.outbox import Notification
from app.models.station import Station

PHONE = "+15551240001"


class CountingBackend:
    """Counts what it is asked to send; `outcome` is raised instead when set."""

    name = "counting"
    records_only = False

    def __init__(self, *, retry_is_safe: bool = True) -> None:
        self.retry_is_safe = retry_is_safe
        self.calls: list[Outgoing] = []
        self.lookups: list[tuple[Outgoing, datetime]] = []
        self.outcome: BaseException | None = None
        self.already_has: str | None = None  # what find_sent answers
        self.on_send = None

    def send(self, message: Outgoing) -> str:
        self.calls.append(message)
        if self.on_send:
            self.on_send()
        if self.outcome is not None:
            raise self.outcome
        return f"SM{len(self.calls)}"

    def find_sent(self, message: Outgoing, since: datetime) -> str | None:
        self.lookups.append((message, since))
        return self.already_has


@pytest.fixture
def svc(app):
    with app.app_context():
        yield


@pytest.fixture
def provider(monkeypatch) -> CountingBackend:
    backend = CountingBackend()
    monkeypatch.setattr(sending, "backend_for", lambda channel: backend)
    return backend


def queued_replies(world, count: int = 1) -> list[int]:
    station = db.session.get(Station, world.station.id)
    ids = []
    for n in range(count):
        message, _ = receive(station, Inbound("sms", f"{PHONE[:-1]}{n}", "Saturday?", provider_id=f"in-{n}"))
        ids.append(queue_reply(message.conversation, f"Yes, Saturday {n}.", user=None).id)
    db.session.commit()
    return ids


def reload(message_id: int) -> Message:
    db.session.expire_all()
    return db.session.get(Message, message_id)


def after_the_lease(message_id: int):
    return time_machine.travel(reload(message_id).lease_expires_at + timedelta(seconds=1), tick=False)


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after the provider call runs (not an Exception)."""


def test_running_the_job_twice_sends_once(svc, world, provider):
    (message_id,) = queued_replies(world)
    assert send_message(message_id) == "sent"
    assert send_message(message_id) == "sent"
    engine.sweep()
    assert len(provider.calls) == 1
    sent = reload(message_id)
    assert (sent.provider_id, sent.attempts, sent.backend, sent.lease_expires_at) == ("SM1", 1, "counting", None)
    assert provider.calls[0].idempotency_key == f"reply-{message_id}"


def test_a_claim_is_respected_while_its_lease_runs_and_taken_over_after(svc, world, provider):
    (message_id,) = queued_replies(world)
    db.session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=SENDING, attempts=1, lease_expires_at=utcnow() + machine.LEASE)
    )
    db.session.commit()
    assert send_message(message_id) == "sending"
    engine.sweep()
    assert provider.calls == []
    with after_the_lease(message_id):
        engine.sweep()
    assert reload(message_id).status == "sent" and reload(message_id).attempts == 2
    assert len(provider.lookups) == 1 and len(provider.calls) == 1  # asked first, then sent


def test_a_worker_killed_during_the_send_is_taken_over_after_the_lease(svc, world, provider):
    (message_id,) = queued_replies(world)
    provider.outcome = WorkerKilled()
    with pytest.raises(WorkerKilled):
        send_message(message_id)
    db.session.rollback()
    provider.outcome = None
    assert send_message(message_id) == "sending"  # the dead worker's claim still holds
    claimed_at = reload(message_id).lease_expires_at - machine.LEASE
    with after_the_lease(message_id):
        engine.sweep()
    assert reload(message_id).status == "sent"
    # The take-over asked the provider about the first attempt (made after the claim), then
    # sent under the same idempotency key.
    (asked, since) = provider.lookups[0]
    assert since == claimed_at and asked.idempotency_key == f"reply-{message_id}"
    assert [c.idempotency_key for c in provider.calls] == [f"reply-{message_id}"] * 2


def test_a_take_over_finds_the_message_at_the_provider_and_does_not_send_it_again(svc, world, provider):
    (message_id,) = queued_replies(world)
    provider.outcome = UncertainSendError("ReadTimeout after the request left")
    assert send_message(message_id) == "sending"
    assert reload(message_id).error.startswith("outcome unknown, to be checked and retried")
    provider.outcome, provider.already_has = None, "SM-already-there"
    with after_the_lease(message_id):
        engine.sweep()
    sent = reload(message_id)
    assert (sent.status, sent.provider_id) == ("sent", "SM-already-there")
    assert len(provider.calls) == 1


def test_a_provider_that_cannot_be_asked_fails_an_interrupted_send_for_a_person(svc, world, monkeypatch):
    backend = CountingBackend(retry_is_safe=False)
    monkeypatch.setattr(sending, "backend_for", lambda channel: backend)
    (message_id,) = queued_replies(world)
    backend.outcome = WorkerKilled()
    with pytest.raises(WorkerKilled):
        send_message(message_id)
    db.session.rollback()
    backend.outcome = None
    with after_the_lease(message_id):
        engine.sweep()
    failed = reload(message_id)
    assert (failed.status, failed.reason) == ("failed", "outcome unknown")
    assert "check with the customer or the provider" in failed.error
    assert len(backend.calls) == 1


def test_a_bug_in_the_provider_call_is_raised_and_retried_after_the_lease(svc, world, provider):
    (message_id,) = queued_replies(world)
    provider.outcome = KeyError("oops")
    with pytest.raises(KeyError):
        send_message(message_id)
    assert reload(message_id).status == "sending" and "KeyError" in reload(message_id).error
    provider.outcome = None
    with after_the_lease(message_id):
        engine.sweep()
    assert reload(message_id).status == "sent"


def test_a_permanent_refusal_is_final(svc, world, provider):
    (message_id,) = queued_replies(world)
    provider.outcome = PermanentSendError("Twilio 400 (code 21211): invalid To")
    assert send_message(message_id) == "failed"
    provider.outcome = None
    assert send_message(message_id) == "failed"
    engine.sweep(now=utcnow() + timedelta(days=1))
    failed = reload(message_id)
    assert (failed.reason, len(provider.calls)) == ("refused by the provider", 1) and "21211" in failed.error


def test_claims_of_a_long_chunk_are_renewed_while_it_is_worked_through(svc, world, provider):
    ids = queued_replies(world, 4)
    with time_machine.travel(utcnow(), tick=False) as clock:
        leases_seen = []

        def watch():  # each send takes half a lease
            leases_seen.append((utcnow(), reload(ids[-1]).lease_expires_at))
            clock.shift(machine.LEASE / 2)

        provider.on_send = watch
        assert engine.deliver(sending.SENDER, ids) == {"sent": 4}
    # The last row waited a lease and a half for its turn: its claim never lapsed meanwhile.
    assert all(now < lease for now, lease in leases_seen)
    assert leases_seen[-1][0] - leases_seen[0][0] > machine.LEASE
    assert all(reload(i).status == "sent" for i in ids)


def test_a_row_given_up_after_too_many_take_overs_fails(svc, world, provider):
    (message_id,) = queued_replies(world)
    db.session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=SENDING, attempts=machine.MAX_ATTEMPTS, lease_expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    engine.sweep()
    failed = reload(message_id)
    assert (failed.status, failed.reason) == ("failed", f"gave up after {machine.MAX_ATTEMPTS} attempts")
    assert provider.calls == []


# -- provider reports -------------------------------------------------------------------------


def test_reports_reach_whichever_row_has_the_sid_and_never_go_backwards(svc, world, provider):
    (message_id,) = queued_replies(world)
    send_message(message_id)
    notification = Notification(
        key="test:report",
        kind="test",
        channel="sms",
        recipient=PHONE,
        status="sent",
        provider_id="SM-notification",
    )
    db.session.add(notification)
    db.session.commit()
    assert engine.record_provider_status("sms", "SM1", "delivered")
    assert engine.record_provider_status("sms", "SM1", "sent")  # late and out of order: ignored
    assert engine.record_provider_status("sms", "SM-notification", "undelivered", "30007")
    assert not engine.record_provider_status("sms", "SM-not-ours", "delivered")
    assert not engine.record_provider_status("email", "SM1", "delivered")  # another channel's id
    assert reload(message_id).delivery_status == "delivered"
    db.session.expire_all()
    report = db.session.get(Notification, notification.id)
    assert (report.delivery_status, report.error) == ("undelivered", "Twilio error 30007 (undelivered)")
