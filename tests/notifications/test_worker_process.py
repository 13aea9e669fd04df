"""A real `flask worker` process sends a booking's notifications (a worker killed in the
middle of a send: tests/delivery/test_killed_workers.py).

The worker is another process: it sees committed rows only (`committing` tests) and
reads its configuration from the environment, like a deployment (SMTP to the local
aiosmtpd server; SMS recorded, no Twilio).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import Queue
from sqlalchemy import select

from app.extensions import db
from app.models.outbox import Notification, OutboxMessage
from tests.api.conftest import add_chef, booking_body
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.notifications.conftest import SmtpSink

pytestmark = [pytest.mark.redis, pytest.mark.committing, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_server():
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:  # pragma: no cover - CI starts Redis (.ci/run)
        pytest.fail(f"these tests need Redis at {TEST_REDIS_URL}: {exc}")
    server.flushdb()
    yield server
    server.flushdb()
    server.close()


@pytest.fixture
def redis_app(make_app, redis_server, world) -> Flask:
    """Its own engine (rows really commit), Redis configured, a chef at station alpha."""
    app = make_app(REDIS_URL=TEST_REDIS_URL, share_db=False)
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    return app


class SlowSink(SmtpSink):
    """Holds the first message it receives until released (the worker dies meanwhile)."""

    def __init__(self, port: int) -> None:
        super().__init__(port=port)
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.held = False
        self.data_for: list[list[str]] = []  # the recipients of every DATA received

    async def handle_DATA(self, server, session, envelope):
        self.data_for.append(list(envelope.rcpt_tos))
        if not self.held:
            self.held = True
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def _env(smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PROMETHEUS_MULTIPROC_DIR", "SENTRY_DSN")}
    env.update(
        TEPPAN_ENV="production",
        DATABASE_URL=TEST_DATABASE_URL,
        REDIS_URL=TEST_REDIS_URL,
        SECRET_KEY="worker-test-secret",
        LOG_LEVEL="WARNING",
        FLASK_APP="wsgi.py",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="0",
        MAIL_FROM="Teppan <bookings@teppan.example>",
        PUBLIC_BASE_URL="https://teppan.example",
    )
    for name in ("TWILIO_ACCOUNT_SID", "SMTP_USERNAME"):
        env.pop(name, None)
    return env


def _worker(smtp_port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", "notifications", "--burst"],
        cwd=ROOT,
        env=_env(smtp_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _book(app: Flask) -> int:
    response = app.test_client().post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.job == "notifications.booking_event"))


def _statuses(app: Flask) -> dict[tuple[str, str], str]:
    with app.app_context():
        return {(n.kind, n.channel): n.status for n in db.session.scalars(select(Notification))}


def test_a_worker_process_sends_the_booking_s_email_and_sms(redis_app, redis_server, smtp_server):
    message_id = _book(redis_app)
    # With Redis the request only enqueued the job: nothing is sent yet.
    assert _statuses(redis_app) == {}
    assert Queue("notifications", connection=redis_server).get_job_ids() == [f"outbox-{message_id}"]
    worker = _worker(smtp_server.port)
    output, _ = worker.communicate(timeout=90)
    assert worker.returncode == 0, output
    assert _statuses(redis_app) == {
        ("booking_received", "email"): "sent",
        ("booking_received", "sms"): "recorded",
        ("staff_new_booking", "email"): "sent",
    }
    assert sorted(m["To"] for m in smtp_server.messages) == ["ada@example.com", "manager@example.com"]
    sms = _sms(redis_app)
    assert sms.backend == "recorded"


def _sms(app: Flask) -> Notification:
    with app.app_context():
        return db.session.scalar(select(Notification).where(Notification.channel == "sms"))
