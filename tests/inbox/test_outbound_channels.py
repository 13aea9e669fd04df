"""Replies on each channel through the real clients: twilio SDK and Meta's Send API against
pytest-httpserver, smtplib against a local aiosmtpd server."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

import pytest
import time_machine
from werkzeug import Response

from app.delivery import engine, instagram_meta, sms_twilio
from app.errors import Conflict
from app.extensions import db
from app.inbox import outbound
from app.inbox.inbound import Inbound, receive
from app.inbox.outbound import queue_reply
from app.inbox.sending import send_message
from app.models.base import utcnow
from app.models.station import Station
from tests.inbox.test_outbound import (
    IGSID,
    PHONE,
    app_context,  # noqa: F401 - the `svc` fixture
    inbound,
    manager,
    queued_sms,
    reload,
    station_of,
)
from tests.notifications.conftest import TWILIO_FROM, SmtpSink, TwilioFake, smtp, smtp_server, twilio  # noqa: F401

STATUS_URL = "http://localhost/webhooks/twilio/status"
PAGE_TOKEN = "page-access-token-for-tests"


# The notifications' fakes, imported above, requested under names of their own here.
@pytest.fixture(name="twilio_api")
def twilio_api(twilio: TwilioFake) -> TwilioFake:  # noqa: F811 - the imported fixture
    return twilio


@pytest.fixture(name="mail_server")
def mail_server(smtp: SmtpSink) -> SmtpSink:  # noqa: F811 - the imported fixture
    return smtp


def retry_when_due(message_id: int) -> str:
    """Run the delivery sweep when the message asks to be tried again; its status after."""
    message = reload(message_id)
    due = message.not_before if message.status == "queued" else message.lease_expires_at + timedelta(seconds=1)
    with time_machine.travel(due, tick=False):
        engine.sweep()
    return reload(message_id).status


def record_delivery_status(sid: str, status: str, error_code: str | None = None) -> bool:
    return engine.record_provider_status("sms", sid, status, error_code)


# -- SMS through Twilio ---------------------------------------------------------------------


def test_an_sms_reply_goes_through_the_twilio_sdk_with_the_status_callback(svc, world, twilio_api):
    message = queued_sms(world, "See you Saturday at 6!")
    assert send_message(message.id) == "sent"
    (posted,) = twilio_api.sent
    assert (posted["To"], posted["From"], posted["Body"]) == (PHONE, TWILIO_FROM, "See you Saturday at 6!")
    assert posted["StatusCallback"] == STATUS_URL
    sent = reload(message.id)
    assert (sent.status, sent.provider_id, sent.backend) == ("sent", posted["sid"], "twilio")


def test_a_twilio_outage_is_retried_and_the_sms_sent_once(svc, world, twilio_api):
    message = queued_sms(world)
    twilio_api.failures.append((503, {"code": 20503, "message": "Service unavailable", "status": 503}))
    assert send_message(message.id) == "queued"
    assert send_message(message.id) == "queued"  # not again before the backoff
    assert retry_when_due(message.id) == "sent"
    assert send_message(message.id) == "sent"
    assert (twilio_api.attempts, len(twilio_api.sent)) == (2, 1)


def test_twilio_refusing_an_unsubscribed_number_does_not_send_the_reply(svc, world, twilio_api):
    message = queued_sms(world)
    twilio_api.failures.append(
        (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})
    )
    assert send_message(message.id) == "suppressed"
    assert reload(message.id).reason == "recipient opted out at Twilio (STOP)"
    assert "21610" in reload(message.id).error
    # Our ledger now agrees with the carrier: the next reply is refused before any API call.
    conversation = reload(message.id).conversation
    assert outbound.sms_stopped_for(conversation)
    with pytest.raises(Conflict):
        queue_reply(conversation, "One more thing…", user=manager(world))
    assert twilio_api.attempts == 1


def test_no_answer_from_twilio_is_checked_with_twilio_before_any_resend(svc, world, twilio_api, monkeypatch):
    monkeypatch.setattr(sms_twilio, "TWILIO_TIMEOUT_SECONDS", 0.3)
    twilio_api.delay = 0.6
    message = queued_sms(world)
    assert send_message(message.id) == "sending"
    assert "ReadTimeout" in reload(message.id).error
    time.sleep(0.4)  # the fake finishes taking the message
    twilio_api.delay = 0
    assert send_message(message.id) == "sending"  # the claim holds until its lease ends
    assert retry_when_due(message.id) == "sent"  # Twilio has it: recorded, not sent again
    assert reload(message.id).provider_id == twilio_api.sent[0]["sid"]
    assert (twilio_api.attempts, twilio_api.lookups, len(twilio_api.sent)) == (1, 1, 1)


def test_delivery_reports_update_the_reply_in_order(svc, world, twilio_api):
    message = queued_sms(world)
    send_message(message.id)
    sid = twilio_api.sent[0]["sid"]
    assert record_delivery_status(sid, "delivered")
    assert record_delivery_status(sid, "sent")  # late and out of order: ignored
    assert reload(message.id).delivery_status == "delivered"
    assert not record_delivery_status("SM-not-ours", "delivered")


def test_an_undelivered_report_keeps_twilio_s_error_code(svc, world, twilio_api):
    message = queued_sms(world)
    send_message(message.id)
    record_delivery_status(twilio_api.sent[0]["sid"], "undelivered", "30007")
    report = reload(message.id)
    assert report.delivery_status == "undelivered" and report.error == "Twilio error 30007 (undelivered)"


# -- email over SMTP ------------------------------------------------------------------------


def email_thread(world):
    """A customer's email and their follow-up in the same thread."""
    inbound(
        world,
        "email",
        "ana@example.com",
        "Hibachi for 20 on May 3?",
        provider_id="<first@mail.example>",
        subject="Re: RE: Hibachi for 20",
        contact_name="Ana Ruiz",
        email="ana@example.com",
    )
    return inbound(
        world,
        "email",
        "ana@example.com",
        "Also: two vegans.",
        provider_id="<second@mail.example>",
        in_reply_to="<first@mail.example>",
        references=("<first@mail.example>",),
        email="ana@example.com",
    )


def test_an_email_reply_is_threaded_and_sent_from_the_station(svc, world, mail_server):
    station = station_of(world)
    station.inbox_email = "alpha@inbox.teppan.example"
    conversation = email_thread(world)
    message = queue_reply(conversation, "Yes to both: $1,100, tofu for two.", user=manager(world))
    db.session.commit()
    assert send_message(message.id) == "sent"

    (mail,) = mail_server.messages
    assert mail["Subject"] == "Re: Hibachi for 20"
    assert mail["Message-ID"] == message.provider_id
    assert mail["In-Reply-To"] == "<second@mail.example>"
    assert mail["References"].split() == ["<first@mail.example>", "<second@mail.example>"]
    assert parseaddr(mail["From"]) == ("Alpha", "bookings@teppan.example")
    assert mail["Reply-To"] == "alpha@inbox.teppan.example" and mail["To"] == "ana@example.com"
    assert mail.get_content().strip() == "Yes to both: $1,100, tofu for two."
    assert mail_server.envelopes[0].rcpt_tos == ["ana@example.com"]
    sent = reload(message.id)
    assert (sent.status, sent.provider_id, sent.backend) == ("sent", mail["Message-ID"], "smtp")

    # The customer's answer to our reply threads back into the conversation.
    answer, _ = receive(
        db.session.get(Station, world.station.id),
        Inbound(
            "email", "ana@work.example", "Great!", provider_id="<third@mail.example>", in_reply_to=sent.provider_id
        ),
    )
    assert answer.conversation_id == conversation.id


def test_a_second_email_reply_references_the_first(svc, world, mail_server):
    conversation = email_thread(world)
    first = queue_reply(conversation, "Checking the date.", user=manager(world))
    db.session.commit()
    send_message(first.id)
    second = queue_reply(conversation, "May 3 is free.", user=manager(world))
    db.session.commit()
    send_message(second.id)
    assert mail_server.messages[1]["References"].split() == [
        "<first@mail.example>",
        first.provider_id,
        "<second@mail.example>",
    ]
    assert mail_server.messages[1]["In-Reply-To"] == "<second@mail.example>"


def test_an_email_without_a_subject_gets_one_and_no_reply_to_without_an_inbox(svc, world, mail_server):
    conversation = inbound(world, "email", "bo@example.com", "hi", provider_id="<b1@mail.example>")
    message = queue_reply(conversation, "Hello Bo", user=manager(world))
    db.session.commit()
    send_message(message.id)
    (mail,) = mail_server.messages
    assert mail["Subject"] == "Re: your message to Alpha" and mail["Reply-To"] is None


@pytest.mark.parametrize(
    ("reply", "status"),
    [("550 5.1.1 No such user", "failed"), ("451 4.3.0 Try again later", "queued")],
)
def test_smtp_refusals_fail_and_temporary_errors_retry(svc, world, mail_server, reply, status):
    conversation = email_thread(world)
    message = queue_reply(conversation, "Hello", user=manager(world))
    db.session.commit()
    mail_server.rcpt_replies.append(reply)
    assert send_message(message.id) == status
    after = reload(message.id)
    assert after.status == status and reply[:3] in after.error and mail_server.messages == []


# -- Instagram through Meta's Send API ------------------------------------------------------


@dataclass
class MetaFake:
    """Meta's Send API on a local server; `failures` are answered first, in order."""

    failures: list[tuple[int, dict]] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    delay: float = 0.0

    def handle(self, request):
        if self.delay:
            time.sleep(self.delay)
        self.received.append(
            {"json": request.get_json(), "authorization": request.headers.get("Authorization"), "args": request.args}
        )
        if self.failures:
            status, body = self.failures.pop(0)
            return Response(json.dumps(body), status=status, content_type="application/json")
        mid = f"aWdfZAG1faWQ{len(self.received)}"
        return Response(json.dumps({"recipient_id": IGSID, "message_id": mid}), content_type="application/json")


@pytest.fixture
def meta(app, monkeypatch, httpserver) -> MetaFake:
    fake = MetaFake()
    httpserver.expect_request("/v21.0/me/messages", method="POST").respond_with_handler(fake.handle)
    monkeypatch.setitem(app.config, "META_GRAPH_API_BASE", httpserver.url_for("/v21.0"))
    monkeypatch.setitem(app.config, "META_PAGE_ACCESS_TOKEN", PAGE_TOKEN)
    return fake


def queued_instagram(world, body: str = "Yes, we have Saturday open!"):
    conversation = inbound(world, "instagram", IGSID, "Saturday free?", received_at=utcnow() - timedelta(hours=3))
    message = queue_reply(conversation, body, user=manager(world))
    db.session.commit()
    return message


def test_an_instagram_reply_goes_to_the_send_api_with_the_page_token(svc, world, meta):
    message = queued_instagram(world)
    assert send_message(message.id) == "sent"
    (request,) = meta.received
    assert request["json"] == {
        "recipient": {"id": IGSID},
        "message": {"text": "Yes, we have Saturday open!"},
        "messaging_type": "RESPONSE",
    }
    assert request["authorization"] == f"Bearer {PAGE_TOKEN}" and "access_token" not in request["args"]
    sent = reload(message.id)
    assert (sent.status, sent.provider_id, sent.backend) == ("sent", "aWdfZAG1faWQ1", "instagram")


def test_a_meta_500_is_retried_and_sends_once(svc, world, meta):
    message = queued_instagram(world)
    meta.failures.append((500, {"error": {"message": "An unknown error occurred", "code": 1}}))
    assert send_message(message.id) == "queued"
    assert retry_when_due(message.id) == "sent"
    assert send_message(message.id) == "sent"
    assert len(meta.received) == 2 and reload(message.id).attempts == 2


def test_a_meta_400_fails_the_reply_without_retry(svc, world, meta):
    message = queued_instagram(world)
    error = {"message": "(#100) No matching user found", "type": "OAuthException", "code": 100}
    meta.failures.append((400, {"error": error}))
    assert send_message(message.id) == "failed"
    assert send_message(message.id) == "failed"
    failed = reload(message.id)
    assert failed.error == "Meta 400 (code 100): (#100) No matching user found" and len(meta.received) == 1


def test_a_400_meta_marks_transient_is_retried(svc, world, meta):
    message = queued_instagram(world)
    meta.failures.append((400, {"error": {"message": "Temporary send error", "code": 1200, "is_transient": True}}))
    assert send_message(message.id) == "queued"


def test_no_answer_from_meta_fails_the_reply_for_a_person_to_check(svc, world, meta, monkeypatch):
    # Meta takes no idempotency key and cannot be asked: a resend could reach the customer twice.
    monkeypatch.setattr(instagram_meta, "META_TIMEOUT", (1, 0.3))
    meta.delay = 0.6
    message = queued_instagram(world)
    assert send_message(message.id) == "failed"
    assert send_message(message.id) == "failed"
    failed = reload(message.id)
    assert failed.reason == "outcome unknown" and "ReadTimeout" in failed.error
    time.sleep(0.4)  # let the fake finish its late answer
    assert len(meta.received) == 1


def test_meta_unreachable_is_transient(svc, world, app, monkeypatch):
    from tests.notifications.conftest import free_port

    monkeypatch.setitem(app.config, "META_GRAPH_API_BASE", f"http://127.0.0.1:{free_port()}/v21.0")
    monkeypatch.setitem(app.config, "META_PAGE_ACCESS_TOKEN", PAGE_TOKEN)
    message = queued_instagram(world)
    assert send_message(message.id) == "queued"


def test_without_a_page_token_the_instagram_reply_is_recorded(svc, world):
    message = queued_instagram(world)  # META_PAGE_ACCESS_TOKEN unset (the testing default)
    assert send_message(message.id) == "recorded"
    sent = reload(message.id)
    assert sent.provider_id.startswith("recorded-") and sent.backend == "recorded"
