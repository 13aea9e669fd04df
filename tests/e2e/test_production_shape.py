"""The production shape, end to end: the Procfile's processes on PostgreSQL and Redis.

gunicorn (with gunicorn.conf.py), `flask worker` and `flask scheduler` run as separate
processes in production mode, on a database of this test's own and a redis-server of its
own, sending email to a local SMTP server (aiosmtpd). A booking made over HTTP is
confirmed by the worker; then the worker is SIGKILLed in the middle of a send (the SMTP
server holding it before it accepted anything), and started again: every booking's customer and staff emails arrive
exactly once, none lost, none doubled. Only behaviour is asserted (what reaches the SMTP
server), not how the worker claims or records its sends.
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

from app.extensions import db
from tests.api.conftest import add_chef, booking_body
from tests.conftest import TEST_DATABASE_URL, drop_database, recreate_database
from tests.factories import build_world
from tests.notifications.conftest import SmtpSink, free_port
from tests.processes import ROOT, production_env

pytestmark = [pytest.mark.slow, pytest.mark.committing]

BIN = Path(sys.executable).parent
E2E_DATABASE_URL = make_url(TEST_DATABASE_URL).set(database=f"{make_url(TEST_DATABASE_URL).database}_e2e")
METRICS_TOKEN = "e2e-metrics-token"
WAIT = 60  # seconds any one expected email may take (worker start, relay, send; the machine may be busy)


def procfile() -> dict[str, list[str]]:
    """The Procfile's commands, with the venv's executables (what honcho would run)."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            argv = shlex.split(command)
            argv[0] = str(BIN / argv[0])
            commands[name.strip()] = argv
    return commands


class HoldingSink(SmtpSink):
    """Keeps what it accepts; once armed, holds the next RCPT TO until released.

    Held there, the worker is inside a send whose message has certainly not been
    accepted: killed now, the message must still arrive, once, after the restart. (A
    worker killed after the server took the whole message but before it heard "250" is
    the other case: that one must never be sent again; tests/notifications covers it.)
    """

    def __init__(self, port: int) -> None:
        super().__init__(port=port)
        self.armed = False
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.armed:
            self.armed = False
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    def subjects(self) -> Counter[str]:
        return Counter(str(m["Subject"]) for m in self.messages)


@pytest.fixture
def e2e_database(make_app):
    """A migrated database of its own with station alpha, its manager and two chefs."""
    url = E2E_DATABASE_URL.render_as_string(hide_password=False)
    recreate_database(url)
    migrate = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**_base_env(), "DATABASE_URL": url, "REDIS_URL": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    seeder = make_app(share_db=False, SQLALCHEMY_DATABASE_URI=url)
    with seeder.app_context():
        world = build_world()
        for name in ("Kenji", "Hana"):
            add_chef(world.station.id, name)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield url
    drop_database(url)


def _base_env() -> dict[str, str]:
    return production_env(
        SECRET_KEY="e2e-secret-key", PUBLIC_BASE_URL="https://ops.teppan.example", METRICS_TOKEN=METRICS_TOKEN
    )


class Processes:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.running: dict[str, subprocess.Popen] = {}
        self.commands = procfile()

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(self.commands[name], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.running[name] = process
        return process

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.running.values():
            process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.running.clear()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""


def _wait_for(condition, what: str, processes: Processes, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {name}\n{processes.log(name)}" for name in ("web", "worker", "scheduler"))
    pytest.fail(f"waited {timeout} s for {what}\n{logs}")


def _day(n: int) -> str:
    return (date.today() + timedelta(days=20 + n)).isoformat()


class Stack:
    """The Procfile's processes, running, and what a test does with them."""

    def __init__(self, processes: Processes, sink: HoldingSink, base: str) -> None:
        self.processes, self.sink, self.base = processes, sink, base
        self.http = requests.Session()

    def ready(self) -> bool:
        try:
            return self.http.get(f"{self.base}/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def book(self, n: int) -> str:
        customer = {"name": f"Guest {n}", "email": f"guest{n}@example.com", "phone": f"+1404555{3000 + n}"}
        response = self.http.post(
            f"{self.base}/api/v1/bookings", json=booking_body(event_date=_day(n), customer=customer), timeout=10
        )
        assert response.status_code == 201, response.text
        return response.json()["reference"]

    def arrived(self, reference: str) -> tuple[int, int]:
        """(customer confirmations, staff notices) of `reference` at the SMTP server."""
        subjects = self.sink.subjects()
        customer = sum(c for s, c in subjects.items() if s.startswith(f"Booking {reference} received"))
        staff = sum(c for s, c in subjects.items() if s.startswith(f"New booking {reference}"))
        return customer, staff

    def wait_for_emails(self, *references: str) -> None:
        for reference in references:
            _wait_for(lambda ref=reference: self.arrived(ref) == (1, 1), f"the emails of {reference}", self.processes)

    def assert_each_once(self, *references: str) -> None:
        time.sleep(3)  # nothing more trickles in afterwards
        for reference in references:
            assert self.arrived(reference) == (1, 1), (reference, self.sink.subjects())
        assert len(self.sink.messages) == 2 * len(references), self.sink.subjects()


@pytest.fixture
def stack(e2e_database, own_redis, tmp_path):
    sink = HoldingSink(free_port())
    smtp = Controller(sink, hostname="127.0.0.1", port=sink.port)
    smtp.start()
    web_port = free_port()
    env = {
        **_base_env(),
        "DATABASE_URL": e2e_database,
        "REDIS_URL": own_redis.url,
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "XDG_RUNTIME_DIR": str(tmp_path),  # gunicorn's control socket: not the one other runs use
        # A dead worker's claim on a message is taken over after this; the scheduler's
        # delivery sweep runs every 15 s (production: 45 s leases).
        "DELIVERY_LEASE_SECONDS": "5",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
        "SMTP_STARTTLS": "0",
        "MAIL_FROM": "Teppan <bookings@teppan.example>",
    }
    processes = Processes(env, tmp_path)
    running = Stack(processes, sink, f"http://127.0.0.1:{web_port}")
    try:
        for name in ("web", "worker", "scheduler"):
            processes.start(name)
        _wait_for(running.ready, "gunicorn to answer /ready", processes, timeout=90)
        yield running
    finally:
        sink.release.set()
        processes.stop_all()
        smtp.stop()
        running.http.close()


def _libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _waiting_on_lock(database_url: str, table: str) -> bool:
    """Whether a session of the database waits for a lock to write into `table`.

    The booking's job (INSERT) or the delivery sweep (UPDATE), whichever the worker is in:
    either way it is in the middle of a job.
    """
    with psycopg.connect(_libpq_url(database_url), autocommit=True) as conn:
        waiting = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            "AND (query ILIKE %s OR query ILIKE %s)",
            (f"INSERT INTO {table}%", f"UPDATE {table}%"),
        ).fetchone()[0]
    return waiting > 0


def test_the_procfile_processes_confirm_each_booking_once_across_workers_killed_mid_job(stack, e2e_database):
    """One stack (starting it is most of the time), two ways of dying."""
    # 1. Booked over HTTP, confirmed by the worker process through SMTP.
    first = stack.book(1)
    stack.wait_for_emails(first)

    # 2. The worker is SIGKILLed in the middle of a job: held on a lock while it writes the
    #    next booking's messages (or claims messages in a delivery sweep), before it sent any.
    #    Started again, it runs the dead one's job again at once (app.jobs.recovery).
    with psycopg.connect(_libpq_url(e2e_database)) as lock:
        lock.execute("LOCK TABLE notifications IN SHARE ROW EXCLUSIVE MODE")
        second = stack.book(2)
        _wait_for(lambda: _waiting_on_lock(e2e_database, "notifications"), "the worker to be mid-job", stack.processes)
        stack.processes.kill("worker")
        lock.rollback()
    stack.processes.start("worker")
    stack.wait_for_emails(second)

    # 3. The worker is SIGKILLed in the middle of an SMTP send: the server holds the next
    #    message before accepting anything. Its claim is taken over after the lease.
    stack.sink.armed = True
    third = stack.book(3)
    assert stack.sink.arrived.wait(WAIT), "the worker never reached the SMTP server\n" + stack.processes.log("worker")
    stack.processes.kill("worker")
    stack.sink.release.set()
    stack.processes.start("worker")

    # 4. The restarted worker takes new work, and nothing was lost or doubled.
    fourth = stack.book(4)
    stack.wait_for_emails(third, fourth)
    stack.assert_each_once(first, second, third, fourth)

    # The web processes aggregate their metrics (multiprocess) and want the token.
    assert stack.http.get(f"{stack.base}/metrics", timeout=5).status_code == 401
    metrics = stack.http.get(f"{stack.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=5)
    assert metrics.status_code == 200
    assert 'endpoint="api.create_booking"' in metrics.text
