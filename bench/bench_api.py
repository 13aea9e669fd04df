"""Public API under gunicorn: requests/s and latency next to a bare Flask endpoint.

    .venv/bin/python bench/bench_api.py [--workers 2] [--connections 8] [--duration 10]

Starts gunicorn with gunicorn.conf.py (the production settings: sync workers, preload,
no recycling unless --max-requests) on 127.0.0.1 against the bench database, then
loads, one after the other and with the same connections and duration:

  /healthz                                       the bare baseline: Flask, no database
  GET  /api/v1/stations/bench/availability       a 14-day and a 31-day range
  POST /api/v1/quotes                            without and with zip_code (travel)

and then POST /api/v1/bookings from --booking-connections clients (20), each booking on a
(date, slot) of its own at the small station (bench/_booking_load.py; needs wrk), with
Redis (BENCH_API_REDIS_URL, db 12 by default, flushed after) taking the jobs as in production.

with wrk when it is installed (apt-get install wrk), else a Python thread pool (less
load: Python clients eat the same two cores). Prints requests/s, p50/p95/p99 latency,
errors, SQL queries per request (counted in-process), the CPU each request cost the
workers and PostgreSQL, worker restarts (max_requests recycling), how much CPU other
processes took meanwhile, and the RSS of each worker after warm-up. gunicorn is always
stopped at the end, also on error or timeout. Seed first: bench/seed_bookings.py.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _booking_load import WRK_REPORT, bookable_slots, run_bookings, wrk_script
from _common import (
    BENCH_DATABASE_URL,
    CLOCK_TICKS,
    OUT_DIR,
    ROOT,
    STATION_SLUG,
    MachineCpu,
    app_environment,
    conditions,
    machine_summary,
    percentile,
    postgres_cpu_delta,
    postgres_cpu_seconds,
    process_cpu_seconds,
    run,
    stat_fields,
    table,
    time_limit,
    wait_for_quiet,
)
from sqlalchemy.engine import make_url

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# Bookings hand their jobs (notifications) to RQ after commit, as in production; without
# Redis the app would run them inline in the request. Flushed after the run.
BENCH_API_REDIS_URL = os.environ.get("BENCH_API_REDIS_URL", "redis://127.0.0.1:6379/12")

WRK_SCRIPT = """
wrk.method = "%(method)s"
%(body)s
%(report)s"""


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: dict | None = None


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def endpoints(today) -> list[Endpoint]:
    first = today + timedelta(days=7)
    party = {"station": STATION_SLUG, "adults": 12, "children": 3, "toddlers": 1,
             "upgrades": {"filet_mignon": 4}, "add_ons": {"gyoza": 2}}  # fmt: skip
    base = f"/api/v1/stations/{STATION_SLUG}/availability"
    return [
        Endpoint("/healthz (bare Flask, no DB)", "GET", "/healthz"),
        Endpoint("availability, 14 days", "GET", f"{base}?from={first}&to={first + timedelta(days=13)}"),
        Endpoint("availability, 31 days", "GET", f"{base}?from={first}&to={first + timedelta(days=30)}"),
        Endpoint("quote, no zip_code", "POST", "/api/v1/quotes", party),
        Endpoint("quote, zip_code (travel)", "POST", "/api/v1/quotes", {**party, "zip_code": "30501"}),
    ]


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(workers: int, port: int, metrics_dir: str, log_path: Path, max_requests: str | None):
    env = app_environment(BENCH_DATABASE_URL)
    env.update(
        WEB_CONCURRENCY=str(workers),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,  # not ./prometheus_multiproc of the checkout
    )
    env.pop("GUNICORN_ACCESSLOG", None)
    env["REDIS_URL"] = BENCH_API_REDIS_URL
    if max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = max_requests
    # No control socket: gunicorn 27 puts it at ~/.gunicorn/gunicorn.ctl, shared by
    # every gunicorn of the user; it plays no part in serving requests.
    command = [str(GUNICORN), "-c", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"]
    log = open(log_path, "wb")  # noqa: SIM115 - closed by stop_gunicorn
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below
    )
    proc.log = log  # type: ignore[attr-defined]
    return proc


def stop_gunicorn(proc) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # graceful: master stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this script created
            proc.wait(timeout=10)
    proc.log.close()


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def workers_cpu_seconds(master: int) -> float:
    """CPU used by all workers so far: live ones, plus those the master reaped (cutime)."""
    total = 0.0
    for pid in children(master):
        try:
            total += process_cpu_seconds(pid)
        except (OSError, ValueError, IndexError):
            continue
    return total + process_cpu_seconds(master, reaped_children=True) - process_cpu_seconds(master)


def settled_children(master: int, min_age: float = 5.0) -> set[int]:
    """Workers older than `min_age` seconds (a younger one may still be loading the app)."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    settled = set()
    for pid in children(master):
        try:
            started = int(stat_fields(pid)[19]) / CLOCK_TICKS  # starttime, since boot
        except (OSError, ValueError, IndexError):
            continue
        if uptime - started >= min_age:
            settled.add(pid)
    return settled


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages split between the processes sharing them) and private MB."""
    values = {"rss": 0.0, "pss": 0.0, "private": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            kb = int(rest.split()[0]) if rest.strip() and rest.split()[0].isdigit() else 0
            if key == "Rss":
                values["rss"] = kb / 1024
            elif key == "Pss":
                values["pss"] = kb / 1024
            elif key in ("Private_Clean", "Private_Dirty"):
                values["private"] += kb / 1024
    except OSError:
        rss = rss_mb(pid)
        values["rss"] = rss or 0.0
    return values


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(proc, port: int, workers: int, log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if get(port, "/healthz", timeout=2)[0] == 200 and len(children(proc.pid)) >= workers:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn not ready after {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")


def request_once(port: int, ep: Endpoint, timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = json.dumps(ep.body).encode() if ep.body is not None else None
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(ep.method, ep.path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check_answers(port: int, eps: list[Endpoint]) -> None:
    """Each endpoint answers 200 with the expected shape before it is loaded."""
    for ep in eps:
        status, body = request_once(port, ep)
        if status != 200:
            raise SystemExit(f"{ep.method} {ep.path} answered {status}: {body[:500]!r}")
        data = json.loads(body)
        if "availability" in ep.path and not data.get("slots"):
            raise SystemExit(f"{ep.path} returned no slots: {body[:300]!r}")
        if ep.path.endswith("/quotes") and "total_cents" not in data.get("quote", {}):
            raise SystemExit(f"quote without total_cents: {body[:300]!r}")


# --- load --------------------------------------------------------------------------------------


def run_wrk(port: int, ep: Endpoint, connections: int, seconds: float, workdir: Path) -> LoadResult:
    body = ""
    if ep.body is not None:
        body = f'wrk.body = [==[{json.dumps(ep.body)}]==]\nwrk.headers["Content-Type"] = "application/json"'
    script = workdir / "bench.lua"
    script.write_text(WRK_SCRIPT % {"method": ep.method, "body": body, "report": WRK_REPORT})
    threads = max(1, min(2, connections))
    duration = max(1, round(seconds))  # wrk takes whole seconds
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", str(script),
           f"http://127.0.0.1:{port}{ep.path}"]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stdout[-1000:]} {out.stderr[-1000:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


def run_threads(port: int, ep: Endpoint, connections: int, seconds: float, workdir: Path) -> LoadResult:
    """The fallback load: `connections` threads, one request after another each."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop_at = time.perf_counter() + seconds

    def client(i: int) -> None:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = request_once(port, ep, timeout=5)
            except OSError:
                status = 0
            if 200 <= status < 400:
                latencies[i].append((time.perf_counter() - started) * 1000)
            else:
                errors[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 15)
    elapsed = time.perf_counter() - started
    flat = [ms for per in latencies for ms in per] or [0.0]
    return LoadResult(
        requests=sum(len(p) for p in latencies) + sum(errors),
        seconds=elapsed,
        errors=sum(errors),
        p50_ms=percentile(flat, 50),
        p95_ms=percentile(flat, 95),
        p99_ms=percentile(flat, 99),
    )


def sql_queries_per_request(eps: list[Endpoint]) -> dict[str, int]:
    """Run each endpoint once in-process and count its SQL statements."""
    from _common import make_app
    from sqlalchemy import event

    app = make_app(BENCH_DATABASE_URL)
    from app.extensions import db

    counted = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: counted.__setitem__(0, counted[0] + 1))
    client = app.test_client()
    result = {}
    for ep in eps:
        for _ in range(2):  # the second run is the one counted (caches warm)
            counted[0] = 0
            response = client.open(ep.path, method=ep.method, json=ep.body)
            if response.status_code != 200:
                raise SystemExit(f"in-process {ep.method} {ep.path} answered {response.status_code}")
        result[ep.name] = counted[0]
    with app.app_context():
        db.engine.dispose()
    return result


@dataclass
class Measured:
    result: LoadResult
    restarts: int
    app_ms: float  # CPU of the workers per request
    pg_ms: float  # CPU of the PostgreSQL backends per request
    others: float  # share of the machine's CPU used by other processes meanwhile


def measure(proc, port: int, ep: Endpoint, args, load, workdir: Path, database: str, log_path: Path) -> Measured:
    """One measured run of `ep`, with the CPU each side spent on it."""
    before = settled_children(proc.pid)
    cpu0, pg0, client0 = workers_cpu_seconds(proc.pid), postgres_cpu_seconds(database), client_cpu_seconds()
    machine = MachineCpu()
    result = load(port, ep, args.connections, args.duration, workdir)
    cpu1, pg1, client1 = workers_cpu_seconds(proc.pid), postgres_cpu_seconds(database), client_cpu_seconds()
    after = set(children(proc.pid))
    if proc.poll() is not None:
        raise SystemExit(f"gunicorn died during {ep.name}:\n{log_path.read_text()[-3000:]}")
    pg = postgres_cpu_delta(pg0, pg1)
    others = machine.share_of_others((cpu1 - cpu0) + pg + (client1 - client0))
    served = max(result.requests, 1)
    return Measured(result, len(after - before), (cpu1 - cpu0) * 1000 / served, pg * 1000 / served, others)


def measure_bookings(proc, port: int, args, today, workdir: Path, database: str, log_path: Path) -> Measured:
    """`--booking-connections` clients booking distinct slots for `--booking-seconds`."""
    threads = 2
    slots = bookable_slots(port, today, wanted=3000)
    if len(slots) < 200:
        raise SystemExit(f"only {len(slots)} bookable slots left at the small station: re-seed (seed_bookings.py)")
    script = wrk_script(workdir, slots, threads, run=datetime.now(UTC).strftime("%H%M%S"))
    before = settled_children(proc.pid)
    cpu0, pg0 = workers_cpu_seconds(proc.pid), postgres_cpu_seconds(database)
    machine = MachineCpu()
    data = run_bookings(port, script, args.booking_connections, args.booking_seconds, threads)
    cpu1, pg1 = workers_cpu_seconds(proc.pid), postgres_cpu_seconds(database)
    if proc.poll() is not None:
        raise SystemExit(f"gunicorn died during the bookings:\n{log_path.read_text()[-3000:]}")
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    result = LoadResult(data["requests"], data["duration_us"] / 1e6, errors, data["p50_us"] / 1000,
                        data["p95_us"] / 1000, data["p99_us"] / 1000)  # fmt: skip
    if data["requests"] > len(slots):
        print(
            f"  bookings: {data['requests']} requests for {len(slots)} free slots (repeats answer 409)", file=sys.stderr
        )
    pg = postgres_cpu_delta(pg0, pg1)
    served = max(result.requests, 1)
    others = machine.share_of_others((cpu1 - cpu0) + pg)
    restarts = len(set(children(proc.pid)) - before)
    return Measured(result, restarts, (cpu1 - cpu0) * 1000 / served, pg * 1000 / served, others)


def flush_bench_redis() -> None:
    import redis

    redis.Redis.from_url(BENCH_API_REDIS_URL).flushdb()


def client_cpu_seconds() -> float:
    """CPU of this script and of its finished children (wrk runs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + done.ru_utime + done.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (gunicorn sync workers)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections of the load")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load per endpoint before measuring")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs per endpoint; the least disturbed is kept")
    parser.add_argument("--max-requests", help="GUNICORN_MAX_REQUESTS (default: as gunicorn.conf.py, 0 = never)")
    parser.add_argument("--booking-connections", type=int, default=20, help="concurrent clients booking")
    parser.add_argument("--booking-seconds", type=int, default=5, help="seconds of booking load")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--wait-quiet", type=float, default=0, help="wait up to N s for an idle CPU first")
    parser.add_argument("--timeout", type=int, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    time_limit(args.timeout, "bench_api")
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = run_wrk if use_wrk else run_threads

    today = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()
    eps = endpoints(today)
    queries = sql_queries_per_request(eps)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    log_path = OUT_DIR / "gunicorn.log"
    workdir = Path(tempfile.mkdtemp(prefix="teppan-bench-"))
    port = free_port()
    database = make_url(BENCH_DATABASE_URL).database
    proc = None
    # SIGTERM / SIGINT end the run through the `finally` below, which stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    try:
        proc = start_gunicorn(args.workers, port, str(workdir / "metrics"), log_path, args.max_requests)
        wait_ready(proc, port, args.workers, log_path)
        check_answers(port, eps)
        idle = wait_for_quiet(args.wait_quiet)
        rows = []
        for ep in eps:
            load(port, ep, args.connections, args.warmup, workdir)
            runs = [measure(proc, port, ep, args, load, workdir, database, log_path) for _ in range(args.repeat)]
            best = min(runs, key=lambda m: m.others)  # the run least disturbed by other processes
            print(
                f"  {ep.name}: " + ", ".join(f"{m.result.rps:.0f} req/s ({m.others:.0%} other CPU)" for m in runs),
                file=sys.stderr,
                flush=True,
            )
            rows.append((ep, best))
        # The booking load needs wrk (a list of distinct bodies, one per request).
        booking_row = measure_bookings(proc, port, args, today, workdir, database, log_path) if use_wrk else None
        # RSS after warm-up: every endpoint once more, so that even a worker that
        # max_requests just replaced has served each kind of request.
        for _ in range(20 * args.workers):
            for ep in eps:
                try:
                    request_once(port, ep, timeout=30)
                except OSError as exc:  # a slow worker boot on a busy machine; RSS is still read
                    print(f"  warm-up {ep.name}: {exc!r}", file=sys.stderr)
        workers_memory = [(pid, memory_mb(pid)) for pid in children(proc.pid)]
        master_memory = memory_mb(proc.pid)
        log_text = log_path.read_text(errors="replace")
    finally:
        stop_gunicorn(proc)
        shutil.rmtree(workdir, ignore_errors=True)
        flush_bench_redis()
    booted = log_text.count("Booting worker")
    recycled = max(booted - args.workers, 0)

    base = rows[0][1].result.rps
    print()
    print(
        f"gunicorn {args.workers} sync workers (WEB_CONCURRENCY={args.workers}, gunicorn.conf.py, "
        f"max_requests={args.max_requests or 'default (0)'}), "
        "TEPPAN_ENV=production, "
        f"{'wrk' if use_wrk else 'Python threads'} with {args.connections} connections, "
        f"{args.duration:g} s per endpoint after {args.warmup:g} s warm-up, client on the same machine; "
        f"{machine_summary()}; {conditions(idle)}; {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )
    print()
    base_cpu = rows[0][1].app_ms + rows[0][1].pg_ms
    booking_name = f"POST /api/v1/bookings, {args.booking_connections} clients, distinct slots"
    all_rows = [(ep.name, queries[ep.name], m) for ep, m in rows]
    if booking_row is not None:
        all_rows.append((booking_name, "-", booking_row))
    print(
        table(
            ["endpoint", "req/s", "vs /healthz", "p50 ms", "p95 ms", "p99 ms", "errors", "SQL/req",
             "app CPU ms/req", "PG CPU ms/req", "CPU vs /healthz", "restarts", "other CPU"],
            [
                (name, f"{m.result.rps:.0f}", f"{m.result.rps / base:.0%}" if base else "-",
                 f"{m.result.p50_ms:.1f}", f"{m.result.p95_ms:.1f}", f"{m.result.p99_ms:.1f}", m.result.errors,
                 sql, f"{m.app_ms:.2f}", f"{m.pg_ms:.2f}",
                 f"{base_cpu / (m.app_ms + m.pg_ms):.2f}x" if m.app_ms + m.pg_ms else "-", m.restarts,
                 f"{m.others:.0%}")
                for name, sql, m in all_rows
            ],
        )
    )  # fmt: skip
    print()
    print(f"Workers booted during the whole run: {booted} for {args.workers} workers ({recycled} recycled).")
    print()
    memory = "; ".join(
        f"pid {pid}: RSS {m['rss']:.1f} MB (PSS {m['pss']:.1f}, private {m['private']:.1f})"
        for pid, m in workers_memory
    )
    print(f"Memory per worker after warm-up (WEB_CONCURRENCY={args.workers}): {memory}")
    print(
        f"Master: RSS {master_memory['rss']:.1f} MB (PSS {master_memory['pss']:.1f}). RSS counts shared pages "
        "in full; PSS splits them between the processes sharing them (matters with --preload)."
    )
    print(
        "app CPU = CPU time of the gunicorn workers (with any replaced ones) per request; PG CPU = of the "
        "PostgreSQL backends serving them (not parallel query workers); "
        "CPU vs /healthz = (app + PG CPU of /healthz) / (app + PG CPU of the endpoint), same run; "
        "restarts = workers (re)booted during the run or just before it (max_requests); "
        f"other CPU = share of the machine used by other processes during the run (least of {args.repeat} runs)"
    )
    failed = [name for name, _, m in all_rows if m.result.errors > m.result.requests * 0.01]
    if failed:
        print(f"error: more than 1% errors for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    run(main)
