"""Notification test fixtures: a station that can take bookings, a local SMTP server
(aiosmtpd), a local Twilio API (pytest-httpserver) and helpers to book and read rows."""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from werkzeug import Response

from app.extensions import db
from tests.bookings.conftest import add_chef
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_FROM = "+14045550199"


@pytest.fixture(autouse=True)
def _inline_job_errors_raise(app, monkeypatch):
    """A failing inline job fails the test instead of being logged and forgotten."""
    monkeypatch.setitem(app.config, "RAISE_INLINE_JOB_ERRORS", True)


@pytest.fixture
def kitchen(app, world):
    """Station alpha with two chefs on every slot; Kenji has an email and a phone."""
    with app.app_context():
        station = db.session.merge(world.station)
        station.email = "alpha@teppan.example"
        kenji, hana = add_chef(station, "Kenji"), add_chef(station, "Hana")
        kenji.email, kenji.phone = "kenji@example.com", "+14045550111"
        db.session.commit()
        kitchen = SimpleNamespace(station_id=station.id, slug=station.slug, kenji_id=kenji.id, hana_id=hana.id)
        db.session.remove()
    return kitchen


@pytest.fixture
def svc(app, kitchen):
    """`kitchen` inside an app context (no request, as in a worker), for service and job tests."""
    with app.app_context():
        yield kitchen


# -- SMTP -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpSink:
    """aiosmtpd handler: keeps what it accepts; `replies` forces answers to DATA or RCPT."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    port: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp(app, monkeypatch, smtp_server) -> SmtpSink:
    """The app sends email over SMTP to the local server (plain, no login)."""
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": None,
        "MAIL_FROM": "Teppan <bookings@teppan.example>",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return smtp_server


# -- Twilio ---------------------------------------------------------------------------------


@dataclass
class TwilioFake:
    """Twilio's Messages API on a local server; `failures` are answered first, in order."""

    server: object
    failures: list[tuple[int, dict]] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    attempts: int = 0
    lookups: int = 0
    delay: float = 0.0  # seconds before answering (a slow or lost answer)

    def handle(self, request):
        self.attempts += 1
        if self.delay:
            time.sleep(self.delay)
        if self.failures:
            status, body = self.failures.pop(0)
            return Response(json.dumps(body), status=status, content_type="application/json")
        form = request.form.to_dict()
        sid = "SM" + uuid.uuid4().hex
        created = email.utils.format_datetime(datetime.now(UTC))
        self.sent.append(
            {**form, "sid": sid, "date_created": created, "authorization": request.headers.get("Authorization", "")}
        )
        return Response(json.dumps(self._resource(self.sent[-1])), status=201, content_type="application/json")

    @staticmethod
    def _resource(sent: dict) -> dict:
        return {
            "sid": sent["sid"],
            "account_sid": TWILIO_SID,
            "to": sent.get("To"),
            "from": sent.get("From"),
            "body": sent.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "date_created": sent["date_created"],
        }

    def handle_list(self, request):
        """GET Messages.json?To=&From=: the newest first, as Twilio lists them."""
        self.lookups += 1
        to, sender = request.args.get("To"), request.args.get("From")
        found = [
            m for m in reversed(self.sent) if (not to or m.get("To") == to) and (not sender or m.get("From") == sender)
        ]
        body = {"messages": [self._resource(m) for m in found], "next_page_uri": None, "page": 0, "page_size": 50}
        return Response(json.dumps(body), status=200, content_type="application/json")


@pytest.fixture
def twilio(app, monkeypatch, httpserver) -> TwilioFake:
    """The app sends SMS through the real twilio SDK to the local fake."""
    fake = TwilioFake(server=httpserver)
    messages = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    httpserver.expect_request(messages, method="POST").respond_with_handler(fake.handle)
    httpserver.expect_request(messages, method="GET").respond_with_handler(fake.handle_list)
    for name, value in {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE": httpserver.url_for("/").rstrip("/"),
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return fake
