"""Jobs: what ONE worker sustains for a notification-like job, and outbox-to-send latency.

    .venv/bin/python bench/bench_jobs.py [--messages 1000] [--rate N] [--seconds 15]

Against the real PostgreSQL (its own database, teppan_bench_jobs, dropped and
migrated first; BENCH_JOBS_DATABASE_URL overrides), the real Redis (db 14, flushed;
BENCH_REDIS_URL overrides) and a local SMTP sink (aiosmtpd when installed, else a
minimal SMTP responder on a socket), on 127.0.0.1 only.

The job (`bench.notify`, on the notifications queue) does what a notification job
does: reloads by id, keeps a Notification row with a unique key (a second run sends
nothing), renders a Jinja email (HTML + text), sends it over SMTP outside any
database transaction, marks it sent. It reaches the worker the production way:
emit() in a transaction, the relay after commit, `app.jobs.runner.run` in an RQ
SimpleWorker (what `flask worker` runs) in a process of its own.

1. Throughput: --messages messages are emitted and relayed first, then one worker
   drains the queue; jobs/s = messages / (last send - first send).
2. Latency: the worker runs while messages are emitted at --rate per second (default:
   half of what run 1 measured, at most 20) for --seconds, each committed and relayed
   at once, as after a request; latency = Notification.sent_at - OutboxMessage.created_at
   (emit to SMTP accepted), p50/p95/max.

Prints figures, asserts nothing about speed; exits non-zero only when something is
broken (a message not sent, or sent twice). Bounded: each phase has a deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import (  # noqa: E402
    OUT_DIR,
    MachineCpu,
    conditions,
    machine_summary,
    percentile,
    postgres_cpu_delta,
    postgres_cpu_seconds,
    table,
    time_limit,
    wait_for_quiet,
)

DATABASE_URL = os.environ.get(
    "BENCH_JOBS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/teppan_bench_jobs"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET_KEY = "bench-only-secret-key-not-for-production"
SMTP_ENV = "BENCH_SMTP_PORT"

EMAIL_HTML = """<!doctype html><html><body style="font-family:sans-serif">
<h1>{{ station }}</h1><p>Hi {{ name }},</p>
<p>Your hibachi party on <strong>{{ day }}</strong> for {{ guests }} guests is booked.</p>
<p>Reference {{ reference }}. Reply to this email with any question.</p></body></html>"""
EMAIL_TEXT = """{{ station }}

Hi {{ name }},
Your hibachi party on {{ day }} for {{ guests }} guests is booked.
Reference {{ reference }}. Reply to this email with any question.
"""


# -- the job (registered in the bench process and in the worker process) ------------------------


def _register_job() -> None:
    from flask import current_app
    from jinja2 import Environment
    from sqlalchemy import select

    from app.extensions import db
    from app.jobs.registry import TransientError, job
    from app.models.base import utcnow
    from app.models.outbox import Notification

    # A plain Jinja environment: Flask's render_template runs the app's context processors,
    # and app/web/layout.py's reads current_user, which is None outside a request.
    jinja = Environment(autoescape=True)
    html_template, text_template = jinja.from_string(EMAIL_HTML), Environment().from_string(EMAIL_TEXT)

    @job("bench.notify", queue="notifications", retries=3, timeout=30)
    def notify(n: int, recipient: str) -> str:
        key = f"bench:{n}:email"
        note = db.session.scalar(select(Notification).where(Notification.key == key))
        if note is not None and note.status == "sent":
            return "already sent"
        if note is None:
            context = {
                "station": "Teppan Bench",
                "name": f"Guest {n}",
                "day": "Sat 12 Dec",
                "guests": 12,
                "reference": f"TP-{n:06d}",
            }
            note = Notification(
                key=key,
                kind="booking_received",
                channel="email",
                recipient=recipient,
                subject=f"Your booking TP-{n:06d}",
                body_text=text_template.render(**context),
                body_html=html_template.render(**context),
                status="sending",
                backend="smtp",
                attempts=0,
            )
            db.session.add(note)
        note.attempts += 1
        db.session.commit()  # no transaction stays open during the SMTP call
        message = EmailMessage()
        message["From"] = "Teppan <no-reply@teppan.local>"
        message["To"] = note.recipient
        message["Subject"] = note.subject
        message["X-Notification-Key"] = key
        message.set_content(note.body_text)
        message.add_alternative(note.body_html, subtype="html")
        try:
            with smtplib.SMTP("127.0.0.1", int(current_app.config["BENCH_SMTP_PORT"]), timeout=10) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"SMTP: {exc}") from exc
        note.status = "sent"
        note.sent_at = utcnow()
        db.session.commit()
        return "sent"


def _make_app():
    for key in ("PROMETHEUS_MULTIPROC_DIR", "SENTRY_DSN", "RATELIMIT_STORAGE_URI"):
        os.environ.pop(key, None)
    os.environ.update(
        TEPPAN_ENV="production",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=SECRET_KEY,
        LOG_LEVEL="WARNING",
        RATELIMIT_ENABLED="false",
        FORCE_HTTPS="false",
    )
    from app import create_app

    app = create_app("production", BENCH_SMTP_PORT=os.environ.get(SMTP_ENV, "0"))
    _register_job()
    return app


def worker_main() -> None:
    """The worker process: the app, the bench job, an RQ SimpleWorker as `flask worker` runs it.

    Writes the CPU it used (after start-up, and in all) to BENCH_WORKER_STATS when it stops.
    """
    from rq import SimpleWorker

    from app.jobs.queues import queue, redis_connection

    app = _make_app()
    ready = time.process_time()
    try:
        with app.app_context():
            SimpleWorker([queue("notifications")], connection=redis_connection()).work(
                burst=os.environ.get("BENCH_BURST") == "1", logging_level="WARNING"
            )
    finally:
        stats = os.environ.get("BENCH_WORKER_STATS")
        if stats:
            Path(stats).write_text(json.dumps({"jobs_cpu": time.process_time() - ready, "cpu": time.process_time()}))


# -- the SMTP sink -----------------------------------------------------------------------------


class Sink:
    """Counts messages by their X-Notification-Key; aiosmtpd if installed, else a socket server."""

    def __init__(self) -> None:
        self.received: dict[str, int] = {}
        self.lock = threading.Lock()
        self.kind = ""
        self.port = 0
        self._stop = lambda: None

    def note(self, data: bytes) -> None:
        for line in data.split(b"\r\n")[:40]:
            if line.lower().startswith(b"x-notification-key:"):
                key = line.split(b":", 1)[1].strip().decode()
                with self.lock:
                    self.received[key] = self.received.get(key, 0) + 1
                return

    def start(self) -> Sink:
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            return self._start_socket_sink()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                sink.note(envelope.content)
                return "250 OK"

        controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())
        controller.start()
        self.kind, self.port, self._stop = "aiosmtpd", controller.port, controller.stop
        return self

    def _start_socket_sink(self) -> Sink:
        import socketserver

        sink = self

        class SMTPHandler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 bench sink\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        data = b""
                        while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                            data += chunk
                        sink.note(data)
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    elif verb == b"EHLO":
                        self.wfile.write(b"250 bench\r\n")
                    else:
                        self.wfile.write(b"250 OK\r\n")

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.kind, self.port = "socket sink", server.server_address[1]
        self._stop = server.shutdown
        return self

    def stop(self) -> None:
        self._stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the run -----------------------------------------------------------------------------------


def prepare_database() -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(DATABASE_URL)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": target.database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def start_worker(smtp_port: int, burst: bool, log_path: Path) -> subprocess.Popen:
    """The worker process; its output goes to a file (a full pipe would stall it)."""
    env = dict(os.environ, **{SMTP_ENV: str(smtp_port), "BENCH_BURST": "1" if burst else "0"})
    env["BENCH_WORKER_STATS"] = str(log_path.with_suffix(".json"))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_worker(proc: subprocess.Popen, log_path: Path) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # warm shutdown: the current job finishes
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return log_path.read_text(errors="replace") if log_path.exists() else ""


def emit_batch(app, first: int, count: int, *, relay_each: bool) -> None:
    from app.extensions import db
    from app.jobs.outbox import emit, relay

    with app.app_context():
        for n in range(first, first + count):
            emit("bench.notify", key=f"bench-{n}", n=n, recipient=f"guest{n}@example.com")
            if relay_each:
                db.session.commit()
                relay()
        db.session.commit()
        if not relay_each:
            while relay(limit=500):
                pass


def results(app, first: int, count: int) -> tuple[list[float], list[float]]:
    """(latencies in s, send instants as epoch s) of messages first..first+count-1 that were sent."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.outbox import Notification, OutboxMessage

    with app.app_context():
        created = dict(
            db.session.execute(
                select(OutboxMessage.key, OutboxMessage.created_at).where(OutboxMessage.job == "bench.notify")
            ).all()
        )
        sent = db.session.execute(
            select(Notification.key, Notification.sent_at).where(Notification.sent_at.is_not(None))
        ).all()
    latencies, instants = [], []
    wanted = {f"bench:{n}:email" for n in range(first, first + count)}
    for key, sent_at in sent:
        if key not in wanted:
            continue
        n = key.split(":")[1]
        latencies.append((sent_at - created[f"bench-{n}"]).total_seconds())
        instants.append(sent_at.timestamp())
    return latencies, sorted(instants)


def wait_until_sent(app, first: int, count: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        latencies, _ = results(app, first, count)
        if len(latencies) >= count:
            return len(latencies)
        time.sleep(0.5)
    return len(results(app, first, count)[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000, help="messages for the throughput run")
    parser.add_argument(
        "--rate", type=float, default=None, help="messages/s for the latency run (default: half the throughput, <= 20)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the latency run")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main()
        return 0

    time_limit(600, "bench_jobs.py")
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    prepare_database()
    sink = Sink().start()
    os.environ[SMTP_ENV] = str(sink.port)
    app = _make_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    idle = wait_for_quiet(30)
    print(f"# bench_jobs.py: {machine_summary()}; {conditions(idle)}")
    print(f"SMTP sink: {sink.kind} on 127.0.0.1:{sink.port}; Redis {REDIS_URL}; one worker (RQ SimpleWorker)\n")
    problems: list[str] = []

    # 1. Throughput: a full queue, one worker draining it.
    emit_batch(app, 0, args.messages, relay_each=False)
    queued = int(server.llen("rq:queue:notifications"))
    database = DATABASE_URL.rsplit("/", 1)[1]
    pg_before, own_before, machine = postgres_cpu_seconds(database), time.process_time(), MachineCpu()
    started = time.monotonic()
    burst_log = OUT_DIR / "jobs-worker-burst.log"
    worker = start_worker(sink.port, burst=True, log_path=burst_log)
    pg_seen = dict(pg_before)  # backends end with the worker: sample them while it runs
    while worker.poll() is None and time.monotonic() - started < 300:
        for pid, seconds in postgres_cpu_seconds(database).items():
            pg_seen[pid] = max(seconds, pg_seen.get(pid, 0.0))
        time.sleep(0.5)
    if worker.poll() is None:
        problems.append("the burst worker did not finish within 300 s")
    log = stop_worker(worker, burst_log)
    wall = time.monotonic() - started
    pg_cpu = postgres_cpu_delta(pg_before, pg_seen)
    try:
        worker_cpu = json.loads(burst_log.with_suffix(".json").read_text())
    except (OSError, ValueError):
        worker_cpu = {"jobs_cpu": float("nan"), "cpu": 0.0}
    other = machine.share_of_others(worker_cpu["cpu"] + pg_cpu + time.process_time() - own_before)
    _, instants = results(app, 0, args.messages)
    sent = len(instants)
    span = instants[-1] - instants[0] if sent > 1 else float("nan")
    throughput = (sent - 1) / span if sent > 1 and span > 0 else float("nan")
    if sent != args.messages:
        problems.append(f"throughput run: {sent} of {args.messages} sent\n{log[-2000:]}")

    # 2. Latency: the worker waits; messages arrive at a steady rate, each relayed at commit.
    # Below what the worker sustains, or the figure is the queue's backlog, not the path.
    if args.rate is None:
        args.rate = round(min(20.0, throughput / 2), 1) if throughput == throughput else 5.0
    count = max(1, int(args.rate * args.seconds))
    first = args.messages
    worker = start_worker(sink.port, burst=False, log_path=OUT_DIR / "jobs-worker.log")
    try:
        time.sleep(6)  # let it start (app import) before the clock runs
        begin = time.monotonic()
        for i in range(count):
            emit_batch(app, first + i, 1, relay_each=True)
            pause = begin + (i + 1) / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        emitted_in = time.monotonic() - begin
        done = wait_until_sent(app, first, count, time.monotonic() + 60)
    finally:
        log = stop_worker(worker, OUT_DIR / "jobs-worker.log")
    latencies, _ = results(app, first, count)
    if done != count:
        problems.append(f"latency run: {done} of {count} sent\n{log[-2000:]}")

    doubled = {key: n for key, n in sink.received.items() if n > 1}
    if doubled:
        problems.append(f"sent more than once: {sorted(doubled)[:10]}")
    sink.stop()
    server.flushdb()

    if latencies:
        p50, p95, worst = (percentile(latencies, 50), percentile(latencies, 95), max(latencies))
        latency = f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms"
    else:
        latency = "n/a"
    rows = [
        [
            "throughput (queue full, 1 worker)",
            f"{sent}/{args.messages}",
            f"{throughput:.1f} jobs/s (first to last send {span:.1f} s; {queued} queued; "
            f"wall with worker start {wall:.1f} s)",
        ],
        [
            "  CPU per job",
            "",
            f"worker {worker_cpu['jobs_cpu'] / max(sent, 1) * 1000:.1f} ms, "
            f"PostgreSQL {pg_cpu / max(sent, 1) * 1000:.1f} ms; "
            f"other processes used {other:.0%} of the machine meanwhile",
        ],
        [
            "outbox-to-send latency",
            f"{len(latencies)}/{count} at {args.rate:g}/s (emitted in {emitted_in:.1f} s)",
            latency,
        ],
    ]
    print(table(["run", "messages", "figure"], rows))
    print(f"\nSMTP sink received {sum(sink.received.values())} message(s), {len(doubled)} more than once.")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
