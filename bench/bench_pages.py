"""Staff pages against the bench database: p50/p95 ms and SQL queries per page.

    .venv/bin/python bench/bench_pages.py [-n 50] [--warmup 5] [--htmx] [--explain]

Runs the app in this process (production config, bench database) with the Flask test
client signed in as the bench manager, and times the bookings list (default, a search,
a status + date range filter, page 50), the calendar (week, month) and booking pages.
Queries are counted with a before_cursor_execute listener on db.engine; "SQL ms" is
the time spent inside cursor.execute for the page. The rest of a page's time is Python:
routing, session and permission checks, ORM loading and Jinja rendering.

--explain prints EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of each page.
Seed first: bench/seed_bookings.py.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from _common import (
    BENCH_DATABASE_URL,
    MANAGER_EMAIL,
    MANAGER_PASSWORD,
    STATION_SLUG,
    MachineCpu,
    conditions,
    machine_summary,
    make_app,
    percentile,
    postgres_cpu_delta,
    postgres_cpu_seconds,
    run,
    table,
    time_limit,
    wait_for_quiet,
)
from sqlalchemy.engine import make_url

BASE_URL = "https://localhost"  # production cookies are Secure: speak https to the test client


@dataclass
class Statement:
    sql: str
    params: object
    ms: float


@dataclass
class QueryLog:
    """What the engine executed since the last reset()."""

    statements: list[Statement] = field(default_factory=list)
    _started: float = 0.0

    def reset(self) -> None:
        self.statements = []

    def before(self, conn, cursor, statement, parameters, context, executemany):
        self._started = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(Statement(statement, parameters, (time.perf_counter() - self._started) * 1000))


@dataclass
class Result:
    name: str
    url: str
    ms: list[float]
    cpu_ms: list[float]  # CPU of this process (the app, in-process) per request
    queries: list[int]
    sql_ms: list[float]
    size: int
    slowest: Statement | None
    pg_cpu_ms: float  # CPU of the PostgreSQL backend per request (mean)
    others: float  # share of the machine's CPU other processes used meanwhile


def sign_in(client) -> None:
    page = client.get("/login", base_url=BASE_URL)
    match = re.search(rb'"X-CSRFToken": "([^"]+)"', page.data)
    if page.status_code != 200 or not match:
        raise SystemExit(f"GET /login answered {page.status_code} without a CSRF token")
    response = client.post(
        "/login",
        data={"email": MANAGER_EMAIL, "password": MANAGER_PASSWORD, "csrf_token": match.group(1).decode()},
        base_url=BASE_URL,
        headers={"Referer": f"{BASE_URL}/login"},  # Flask-WTF checks it on https
    )
    if response.status_code != 302:
        raise SystemExit(
            f"sign-in as {MANAGER_EMAIL} answered {response.status_code}: is the bench database seeded? "
            "(bench/seed_bookings.py)"
        )


def pages(today, booking_ids: list[int]) -> list[tuple[str, list[str]]]:
    base = f"/s/{STATION_SLUG}/bookings"
    return [
        ("bookings list (default)", [f"{base}/"]),
        ("bookings list, search 'garcia'", [f"{base}/?q=garcia"]),
        (
            "bookings list, confirmed, next 90 days",
            [f"{base}/?status=confirmed&from={today}&to={today + timedelta(days=90)}"],
        ),
        ("bookings list, page 50", [f"{base}/?page=50"]),
        ("calendar, week", [f"{base}/calendar?view=week&date={today}"]),
        ("calendar, month", [f"{base}/calendar?view=month&date={today}"]),
        (f"booking page ({len(booking_ids)} bookings in turn)", [f"{base}/{i}" for i in booking_ids]),
        ("dashboard", [f"/s/{STATION_SLUG}/"]),
        ("customers list", [f"/s/{STATION_SLUG}/customers/"]),
        ("customers, search 'garcia'", [f"/s/{STATION_SLUG}/customers/?q=garcia"]),
        ("leads board (150k leads)", [f"/s/{STATION_SLUG}/leads/"]),
        ("leads list", [f"/s/{STATION_SLUG}/leads/list"]),
        ("inbox, open (167k conversations)", [f"/s/{STATION_SLUG}/inbox/"]),
        ("inbox, awaiting reply", [f"/s/{STATION_SLUG}/inbox/?view=awaiting"]),
    ]


def sample_bookings(db, station_id: int) -> list[int]:
    """A fixed mix of bookings by status (completed ones have the longest timelines)."""
    from sqlalchemy import text

    mix = {"completed": 18, "confirmed": 15, "cancelled": 6, "expired": 6, "pending_deposit": 3, "no_show": 2}
    ids: list[int] = []
    for status, count in mix.items():
        ids += db.session.scalars(
            text("SELECT id FROM bookings WHERE station_id = :s AND status = :st ORDER BY md5(id::text) LIMIT :n"),
            {"s": station_id, "st": status, "n": count},
        ).all()
    if not ids:
        raise SystemExit("no bookings in the bench database: run bench/seed_bookings.py first")
    return ids


def measure(
    client, log: QueryLog, name: str, urls: list[str], n: int, warmup: int, headers: dict, database: str
) -> Result:
    for i in range(warmup):
        response = client.get(urls[i % len(urls)], base_url=BASE_URL, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{name}: GET {urls[i % len(urls)]} answered {response.status_code}")
    ms, cpu_ms, queries, sql_ms, sizes = [], [], [], [], []
    slowest: Statement | None = None
    machine, pg_before, own_before = MachineCpu(), postgres_cpu_seconds(database), time.process_time()
    for i in range(n):
        url = urls[i % len(urls)]
        log.reset()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url, base_url=BASE_URL, headers=headers)
        body = response.get_data()
        ms.append((time.perf_counter() - started) * 1000)
        cpu_ms.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{name}: GET {url} answered {response.status_code}")
        queries.append(len(log.statements))
        sql_ms.append(sum(s.ms for s in log.statements))
        sizes.append(len(body))
        for statement in log.statements:
            if slowest is None or statement.ms > slowest.ms:
                slowest = statement
    pg = postgres_cpu_delta(pg_before, postgres_cpu_seconds(database))
    others = machine.share_of_others(time.process_time() - own_before + pg)
    size = int(statistics.median(sizes))
    return Result(name, urls[0], ms, cpu_ms, queries, sql_ms, size, slowest, pg * 1000 / n, others)


def _statement_timeout(dbapi_connection, record) -> None:
    """A runaway query fails the run instead of hanging it."""
    with dbapi_connection.cursor() as cur:
        cur.execute("SET statement_timeout = 30000")
    dbapi_connection.commit()


def explain(db, statement: Statement) -> str:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.params).all()
        conn.rollback()
    return "\n".join(r[0] for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=50, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="requests per page before measuring")
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true (fragments, not pages)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statement of each page")
    parser.add_argument("--wait-quiet", type=float, default=0, help="wait up to N s for an idle CPU first")
    parser.add_argument("--timeout", type=int, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    time_limit(args.timeout, "bench_pages")

    from sqlalchemy import event, select

    app = make_app(BENCH_DATABASE_URL)
    from app.extensions import db
    from app.models import Booking, Station

    log = QueryLog()
    with app.app_context():
        station = db.session.scalar(select(Station).where(Station.slug == STATION_SLUG))
        if station is None:
            raise SystemExit(f"no station {STATION_SLUG!r}: run bench/seed_bookings.py first")
        total = db.session.scalar(select(db.func.count()).select_from(Booking).where(Booking.station_id == station.id))
        today = datetime.now(UTC).astimezone(ZoneInfo(station.timezone)).date()
        booking_ids = sample_bookings(db, station.id)
        db.session.remove()
        event.listen(db.engine, "connect", _statement_timeout)
        db.engine.dispose()  # new connections, each with the timeout
        event.listen(db.engine, "before_cursor_execute", log.before)
        event.listen(db.engine, "after_cursor_execute", log.after)

    client = app.test_client()
    sign_in(client)
    idle = wait_for_quiet(args.wait_quiet)
    headers = {"HX-Request": "true"} if args.htmx else {}
    database = make_url(BENCH_DATABASE_URL).database
    results = []
    for name, urls in pages(today, booking_ids):
        results.append(measure(client, log, name, urls, args.n, args.warmup, headers, database))
        print(f"  {name}: done", file=sys.stderr, flush=True)

    def qcount(values: list[int]) -> str:
        low, high = min(values), max(values)
        return str(low) if low == high else f"{low}-{high}"

    rows = [
        (
            r.name,
            f"{percentile(r.ms, 50):.1f}",
            f"{percentile(r.ms, 95):.1f}",
            qcount(r.queries),
            f"{percentile(r.sql_ms, 50):.1f}",
            f"{percentile(r.cpu_ms, 50):.1f}",
            f"{r.pg_cpu_ms:.1f}",
            f"{r.size / 1024:.0f}",
            f"{r.others:.0%}",
        )
        for r in results
    ]
    print()
    print(
        f"Staff pages, {STATION_SLUG} ({total:,} bookings), in-process test client, production config, "
        f"{'HTMX fragments' if args.htmx else 'full pages'}; N={args.n} per page after {args.warmup} warm-up; "
        f"{machine_summary()}; {conditions(idle)}; {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )
    print()
    headers = [
        "page",
        "p50 ms",
        "p95 ms",
        "SQL queries",
        "SQL ms p50",
        "app CPU ms p50",
        "PG CPU ms",
        "KB",
        "other CPU",
    ]
    print(table(headers, rows))
    print()
    print("URLs: " + "; ".join(f"{r.url}" for r in results))
    print(
        "SQL ms = time inside cursor.execute; app CPU = CPU of this process (Flask, ORM, Jinja) per request; "
        "PG CPU = of the PostgreSQL backend per request (parallel query workers not included: they count as "
        "other); other CPU = share of the machine used by other processes meanwhile"
    )
    if args.explain:
        with app.app_context():
            for r in results:
                if r.slowest is None:
                    continue
                print(f"\n--- {r.name}: slowest statement ({r.slowest.ms:.1f} ms)\n{r.slowest.sql}\n{r.slowest.params}")
                print(explain(db, r.slowest))
    return 0


if __name__ == "__main__":
    run(main)
