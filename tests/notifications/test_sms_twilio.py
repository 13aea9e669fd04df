"""SMS through the real twilio SDK against a local fake of its API, and the status callback."""

from __future__ import annotations

import base64
import time
from datetime import timedelta

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from app.delivery import engine, sms_twilio
from app.notifications import jobs
from tests.notifications.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, free_port
from tests.notifications.helpers import book, book_quietly, event_id, rows

STATUS_URL = "http://localhost/webhooks/twilio/status"


def _run_created(booking_id: int) -> None:
    jobs.booking_event(booking_id, "created", event_id(booking_id, "created"))


def test_the_sdk_posts_to_from_body_and_status_callback(svc, twilio):
    booking_id = book(svc)
    (posted,) = twilio.sent
    sms = rows(booking_id, channel="sms")[0]
    assert posted["To"] == "+14045550142"
    assert posted["From"] == TWILIO_FROM
    assert posted["Body"] == sms.body_text
    assert posted["StatusCallback"] == STATUS_URL
    assert posted["authorization"] == "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert (sms.status, sms.backend, sms.provider_id) == ("sent", "twilio", posted["sid"])


def _sweep_when_due(booking_id: int) -> None:
    """Run the delivery sweep at the time the SMS row asks to be tried again."""
    sms = rows(booking_id, channel="sms")[0]
    due = sms.not_before if sms.status == "queued" else sms.lease_expires_at + timedelta(seconds=1)
    with time_machine.travel(due, tick=False):
        engine.sweep()


def test_a_twilio_outage_is_retried_and_sends_once(svc, twilio):
    booking_id = book_quietly(svc)
    twilio.failures.append((503, {"code": 20503, "message": "Service unavailable", "status": 503}))
    _run_created(booking_id)
    sms = rows(booking_id, channel="sms")[0]
    assert sms.status == "queued" and "503" in sms.error and sms.not_before is not None
    _run_created(booking_id)  # a rerun before the backoff ends sends nothing
    assert twilio.attempts == 1
    _sweep_when_due(booking_id)
    engine.sweep()
    assert rows(booking_id, channel="sms")[0].status == "sent"
    assert (twilio.attempts, len(twilio.sent)) == (2, 1)


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [(21211, "failed", "refused by the provider"), (21610, "suppressed", "recipient opted out at Twilio (STOP)")],
)
def test_refusals_are_not_retried(svc, twilio, code, status, reason):
    booking_id = book_quietly(svc)
    twilio.failures.append((400, {"code": code, "message": "Refused", "status": 400}))
    _run_created(booking_id)
    sms = rows(booking_id, channel="sms")[0]
    assert sms.status == status and str(code) in sms.error
    assert sms.reason == reason
    _run_created(booking_id)
    engine.sweep()
    assert twilio.attempts == 1


def test_twilio_unreachable_is_retried_later(svc, twilio, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_API_BASE", f"http://127.0.0.1:{free_port()}")
    booking_id = book_quietly(svc)
    _run_created(booking_id)
    sms = rows(booking_id, channel="sms")[0]
    assert sms.status == "queued" and "ConnectionError" in sms.error


def test_a_lost_answer_is_checked_with_twilio_and_never_sent_twice(svc, twilio, monkeypatch):
    monkeypatch.setattr(sms_twilio, "TWILIO_TIMEOUT_SECONDS", 0.3)
    twilio.delay = 0.6  # Twilio takes the message, its answer never reaches us
    booking_id = book_quietly(svc)
    _run_created(booking_id)
    sms = rows(booking_id, channel="sms")[0]
    assert sms.status == "sending" and "ReadTimeout" in sms.error
    time.sleep(0.4)  # the fake records the message it took
    twilio.delay = 0
    _run_created(booking_id)  # the claim still holds: nothing is sent
    assert (twilio.attempts, twilio.lookups) == (1, 0)
    _sweep_when_due(booking_id)  # the take-over asks Twilio first, finds it, records it
    sms = rows(booking_id, channel="sms")[0]
    assert (sms.status, sms.provider_id) == ("sent", twilio.sent[0]["sid"])
    assert (twilio.attempts, twilio.lookups, len(twilio.sent)) == (1, 1, 1)


def test_a_send_that_never_reached_twilio_is_sent_after_the_check(svc, twilio, monkeypatch):
    class Killed(BaseException):
        pass

    booking_id = book_quietly(svc)
    with monkeypatch.context() as patch:
        patch.setattr(sms_twilio.TwilioBackend, "send", lambda self, message: (_ for _ in ()).throw(Killed()))
        with pytest.raises(Killed):
            _run_created(booking_id)
    assert rows(booking_id, channel="sms")[0].status == "sending"
    _sweep_when_due(booking_id)
    sms = rows(booking_id, channel="sms")[0]
    assert (sms.status, sms.attempts) == ("sent", 2)
    assert (twilio.lookups, len(twilio.sent)) == (1, 1)


def test_without_twilio_the_sms_is_recorded(svc):
    booking_id = book(svc)  # TWILIO_ACCOUNT_SID unset (the testing default)
    sms = rows(booking_id, channel="sms")[0]
    assert (sms.status, sms.backend) == ("recorded", "recorded")
    assert sms.provider_id.startswith("recorded-")


# -- status callback -----------------------------------------------------------------------


def _callback(client, form: dict, *, token: str = TWILIO_TOKEN, url: str = STATUS_URL, signature: str | None = None):
    signature = signature or RequestValidator(token).compute_signature(url, form)
    return client.post("/webhooks/twilio/status", data=form, headers={"X-Twilio-Signature": signature})


def test_a_signed_status_callback_updates_the_delivery_status(svc, twilio, client):
    booking_id = book(svc)
    sid = twilio.sent[0]["sid"]
    form = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": TWILIO_SID, "To": "+14045550142"}
    assert _callback(client, form).status_code == 204
    assert rows(booking_id, channel="sms")[0].delivery_status == "delivered"
    # Callbacks arrive out of order: a late "sent" does not undo "delivered".
    assert _callback(client, {**form, "MessageStatus": "sent"}).status_code == 204
    assert rows(booking_id, channel="sms")[0].delivery_status == "delivered"


def test_undelivered_keeps_the_error_code(svc, twilio, client):
    booking_id = book(svc)
    form = {"MessageSid": twilio.sent[0]["sid"], "MessageStatus": "undelivered", "ErrorCode": "30007"}
    assert _callback(client, form).status_code == 204
    sms = rows(booking_id, channel="sms")[0]
    assert sms.delivery_status == "undelivered" and "30007" in sms.error


def test_a_bad_signature_is_refused(svc, twilio, client):
    booking_id = book(svc)
    form = {"MessageSid": twilio.sent[0]["sid"], "MessageStatus": "delivered"}
    assert _callback(client, form, token="not-the-token").status_code == 403
    # Signed for another URL (the Host header is never trusted): refused too.
    assert _callback(client, form, url="http://evil.example/webhooks/twilio/status").status_code == 403
    assert client.post("/webhooks/twilio/status", data=form).status_code == 403  # unsigned
    assert rows(booking_id, channel="sms")[0].delivery_status is None


def test_without_an_auth_token_every_callback_is_refused(app, client, monkeypatch, world):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", None)
    form = {"MessageSid": "SM123", "MessageStatus": "delivered"}
    assert _callback(client, form).status_code == 403


def test_an_unknown_message_is_acknowledged(app, client, monkeypatch, world):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    assert _callback(client, {"MessageSid": "SMunknown", "MessageStatus": "delivered"}).status_code == 204
