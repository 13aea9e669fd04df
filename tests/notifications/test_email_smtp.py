"""Email over SMTP, against a local aiosmtpd server."""

from __future__ import annotations

import email as email_lib
import smtplib
from datetime import timedelta

import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select

from app import mail
from app.delivery import engine
from app.extensions import db
from app.jobs.outbox import relay
from app.models.outbox import Notification
from app.models.user import User
from app.notifications import jobs
from tests.notifications.conftest import SmtpSink, free_port
from tests.notifications.helpers import (
    CONSENT_BOTH,
    book,
    book_quietly,
    booking,
    complete_at,
    event_id,
    rows,
)


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_transactional_email_headers_parts_and_branding(svc, smtp):
    booking_id = book(svc)
    received = [m for m in smtp.messages if m["To"] == "ada@example.com"]
    assert len(received) == 1
    message = received[0]
    row = rows(booking_id, kind="booking_received", channel="email")[0]
    assert message["From"] == "Alpha <bookings@teppan.example>"
    assert message["Reply-To"] == "alpha@teppan.example"
    assert message["Subject"] == row.subject
    assert message["Message-ID"] == row.provider_id
    assert message["Message-ID"].endswith("@teppan.example>")
    assert row.backend == "smtp" and row.status == "sent"
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "Alpha" in body and "$610.00" in body and booking(booking_id).reference in body
    assert "<table" in parts["text/html"] and "<table" not in parts["text/plain"]
    # Transactional: no unsubscribe headers.
    assert message["List-Unsubscribe"] is None
    assert smtp.envelopes[0].mail_from == "bookings@teppan.example"


def test_review_request_is_marketing_with_one_click_unsubscribe(svc, smtp, client):
    booking_id = book(svc, consent=CONSENT_BOTH)
    done = booking(booking_id).starts_at + timedelta(hours=3)
    complete_at(booking_id, done)
    smtp.messages.clear()
    with time_machine.travel(done + timedelta(hours=24, minutes=5), tick=False):
        jobs.review_requests()
    (message,) = smtp.messages
    assert message["Subject"] == "How was your hibachi party, Ada?"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost/webhooks/email/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = _parts(message)
    url = unsubscribe[1:-1]
    assert url in parts["text/plain"] and "Unsubscribe" in parts["text/html"]

    # The mail client's one-click POST (RFC 8058) withdraws email marketing consent.
    response = client.post(url[len("http://localhost") :], data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert booking(booking_id).customer.email_consent is False
    withdrawal = booking(booking_id).customer.consents[0]
    assert (withdrawal.channel, withdrawal.granted, withdrawal.source) == ("email", False, "email.unsubscribe")
    # ... so the review reminder three days later goes by SMS only.
    with time_machine.travel(done + timedelta(days=4, hours=2), tick=False):
        jobs.review_requests()
    reminder = {n.channel: n for n in rows(booking_id, kind="review_reminder")}
    assert reminder["email"].status == "suppressed"
    assert reminder["email"].reason == "no email marketing consent"


def _sweep_at(when) -> None:
    with time_machine.travel(when, tick=False):
        engine.sweep()


def test_temporary_refusal_is_retried_and_sent_once(svc, smtp):
    booking_id = book_quietly(svc)
    smtp.data_replies.append("451 4.3.0 Mailbox busy, try again later")
    jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert email.status == "queued" and "451" in email.error and email.attempts == 1
    # The other rows were not held up by the one that failed.
    assert rows(booking_id, kind="staff_new_booking")[0].status == "sent"

    jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))  # too early: nothing
    assert rows(booking_id, kind="booking_received", channel="email")[0].attempts == 1
    _sweep_at(email.not_before)
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert email.status == "sent" and email.attempts == 2
    assert [m["To"] for m in smtp.messages].count("ada@example.com") == 1


def test_permanent_refusal_fails_without_retry(svc, smtp):
    booking_id = book_quietly(svc)
    smtp.rcpt_replies.append("550 5.1.1 No such user")
    jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert email.status == "failed" and "550" in email.error
    assert email.reason == "refused by the provider"


def test_no_server_is_retried_later(svc, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nothing listens there
    booking_id = book_quietly(svc)
    jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))
    assert {n.status for n in rows(booking_id, channel="email")} == {"queued"}
    assert "ConnectionRefusedError" in rows(booking_id, channel="email")[0].error


def test_a_connection_lost_during_data_is_retried_as_the_same_message(svc, smtp, monkeypatch):
    """The server may have the message: checked again after the lease, under the same Message-ID."""
    booking_id = book_quietly(svc)
    seen_ids = []
    real_data = smtplib.SMTP.data

    def lost(self, msg):
        seen_ids.append(email_lib.message_from_bytes(msg)["Message-ID"])
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patch:
        patch.setattr(smtplib.SMTP, "data", lost)
        jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert email.status == "sending"
    assert email.error.startswith("outcome unknown, to be checked and retried")
    jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))  # the claim holds
    assert rows(booking_id, kind="booking_received", channel="email")[0].status == "sending"
    assert smtp.messages == []
    assert smtplib.SMTP.data is real_data
    _sweep_at(email.lease_expires_at + timedelta(seconds=1))
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    to_ada = [m for m in smtp.messages if m["To"] == "ada@example.com"]
    assert email.status == "sent" and len(to_ada) == 1
    assert to_ada[0]["Message-ID"] == seen_ids[0] == email.provider_id


def test_login_when_configured(app, monkeypatch, svc):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
        return AuthResult(success=ok)

    sink = SmtpSink(port=free_port())
    controller = Controller(
        sink, hostname="127.0.0.1", port=sink.port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        for name, value in {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": sink.port,
            "SMTP_STARTTLS": False,
            "SMTP_USERNAME": "mailer",
            "SMTP_PASSWORD": "s3cret",
        }.items():
            monkeypatch.setitem(app.config, name, value)
        book(svc)
    finally:
        controller.stop()
    assert logins and logins[0][1:] == (b"mailer", b"s3cret")
    assert {m["To"] for m in sink.messages} == {"ada@example.com", "manager@example.com"}


def test_account_emails_use_the_same_smtp_backend(app, smtp, svc):
    user = db.session.scalar(select(User).where(User.email == "chef@example.com"))
    message = mail.queue_email(
        to=user.email,
        template="password_reset",
        kind="password_reset",
        user=user,
        reset_url="http://localhost/password/reset/x",
        max_age_minutes=60,
    )
    db.session.commit()
    relay()  # the send job the message emitted runs after the commit
    relay()
    engine.sweep()
    assert db.session.get(Notification, message.id).status == "sent"
    (received,) = smtp.messages
    assert received["To"] == "chef@example.com"
    assert "http://localhost/password/reset/x" in _parts(received)["text/plain"]


def test_without_smtp_the_email_is_recorded_not_sent(svc, smtp_server):
    booking_id = book(svc)  # SMTP_HOST unset (the testing default)
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert (email.status, email.backend) == ("recorded", "recorded")
    assert smtp_server.messages == []
    assert db.session.scalar(select(func.count()).where(Notification.backend == "smtp")) == 0


def test_the_confirmation_carries_the_booking_ics(svc, smtp):
    import icalendar

    from tests.notifications.helpers import confirm

    booking_id = book(svc)
    confirm(booking_id)
    confirmation = next(m for m in smtp.messages if m["Subject"].endswith("confirmed: deposit received"))
    attachments = [part for part in confirmation.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(attachments) == 1 and attachments[0].get_filename().endswith(".ics")
    event = next(iter(icalendar.Calendar.from_ical(attachments[0].get_payload(decode=True)).walk("VEVENT")))
    assert event.decoded("dtstart") == booking(booking_id).starts_at
    assert str(event["uid"]).startswith(f"booking-{booking_id}@")
    assert "Manage your booking" in confirmation.get_body(("html",)).get_content()
