"""Crash tests of the delivery layer: real `flask worker` processes killed with SIGKILL.

The worker is another process: it sees committed rows only (`committing` tests), reads
its configuration from the environment like a deployment (SMTP to a local aiosmtpd
server that can hold a message until the test has killed the worker), and claims with a
2-second lease so that the take-over happens within the test.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask

from app.jobs.queues import queue
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.notifications.conftest import SmtpSink, free_port, smtp_server  # noqa: F401 - a fixture
from tests.processes import ROOT, production_env
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401

LEASE_SECONDS = 2


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
    """Its own engine (rows really commit), Redis configured, the worker's short lease."""
    return make_app(REDIS_URL=TEST_REDIS_URL, DELIVERY_LEASE_SECONDS=LEASE_SECONDS, share_db=False)


class HoldingSink(SmtpSink):
    """An SMTP server that holds the conversation with one recipient until released (the worker
    is killed meanwhile): at RCPT, before it has the message; or at DATA, after it has stored
    the message and before it answers. What it accepted is in `messages`."""

    def __init__(self, port: int, *, hold_for: str, at: str) -> None:
        super().__init__(port=port)
        self.hold_for, self.at = hold_for, at
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.held = False

    async def _hold(self, address: str) -> None:
        if not self.held and address == self.hold_for:
            self.held = True
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.at == "rcpt":
            await self._hold(address)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.at != "data" or self.held or envelope.rcpt_tos[0] != self.hold_for:
            return await super().handle_DATA(server, session, envelope)
        # The server has the message (it is stored), but its "250 OK" never reaches the client:
        # the uncertain moment between the provider taking a message and the worker recording it.
        reply = await super().handle_DATA(server, session, envelope)
        await self._hold(envelope.rcpt_tos[0])
        return reply

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def holding_sink():
    controllers = []

    def start(*, hold_for: str, at: str) -> HoldingSink:
        sink = HoldingSink(free_port(), hold_for=hold_for, at=at)
        controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
        controller.start()
        controllers.append((sink, controller))
        return sink

    yield start
    for sink, controller in controllers:
        sink.release.set()
        controller.stop()


def worker_env(smtp_port: int) -> dict[str, str]:
    return production_env(
        DATABASE_URL=TEST_DATABASE_URL,
        REDIS_URL=TEST_REDIS_URL,
        FLASK_APP="wsgi.py",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="0",
        MAIL_FROM="Teppan <bookings@teppan.example>",
        DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
    )


def start_worker(smtp_port: int, *queues: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", *(queues or ("notifications",)), "--burst"],
        cwd=ROOT,
        env=worker_env(smtp_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_worker(smtp_port: int, *queues: str) -> str:
    worker = start_worker(smtp_port, *queues)
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    return output


def kill_when_held(worker: subprocess.Popen, sink: HoldingSink) -> None:
    """SIGKILL the worker while the SMTP server holds its conversation, then let the server go on."""
    if not sink.arrived.wait(60):
        worker.kill()
        raise AssertionError(f"the worker never reached the held recipient:\n{worker.communicate()[0]}")
    worker.kill()
    worker.wait(10)
    sink.release.set()


def sweep_after_the_lease(app: Flask, smtp_port: int, *, wait: float = LEASE_SECONDS, jobs: tuple = ()) -> str:
    """Let the dead worker's leases expire, then run the periodic delivery sweep (and `jobs`)
    on a new worker, with everything they lead to."""
    time.sleep(wait + 0.5)
    with app.app_context():
        for name in (*jobs, "delivery.sweep"):
            queue("periodic").enqueue_call("app.jobs.runner.run", kwargs={"job_name": name, "payload": {}})
    return run_worker(smtp_port, "periodic", "notifications")


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
