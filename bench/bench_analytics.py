"""Analytics pages against the analytics bench database: p50/p95 ms and SQL queries per page.

    .venv/bin/python bench/bench_analytics.py [-n 8] [--warmup 1] [--explain] [--days 90,365]

Runs the app in this process (production config) with the Flask test client, signed in
once as the manager (station bench-atl, "this station") and once as the owner ("all
stations"), and requests the analytics index and its five pages with the default filters
for each period length of `--days` (the last 90 and 365 days, each compared with the period
before): 6 pages x 2 roles x 2 periods = 24 page views, p95 of N requests each. Figures as bench_pages.py
measures them (same QueryLog and timing code). `--explain` prints EXPLAIN (ANALYZE,
BUFFERS) of the slowest statement of the slowest page.

Seed first: bench/seed_analytics.py (--scale 0.1 for a quick run).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime, timedelta

from _common import (
    MANAGER_EMAIL,
    MANAGER_PASSWORD,
    conditions,
    machine_summary,
    make_app,
    percentile,
    run,
    table,
    time_limit,
    wait_for_quiet,
)
from bench_pages import BASE_URL, QueryLog, _statement_timeout, explain, measure
from seed_analytics import BENCH_ANALYTICS_DATABASE_URL, OWNER_EMAIL, OWNER_PASSWORD
from sqlalchemy.engine import make_url

STATION = "bench-atl"
PAGES = ["", "revenue", "funnel", "operations", "conversations", "reviews"]


def sign_in(client, email: str, password: str) -> None:
    page = client.get("/login", base_url=BASE_URL)
    match = re.search(rb'"X-CSRFToken": "([^"]+)"', page.data)
    if page.status_code != 200 or not match:
        raise SystemExit(f"GET /login answered {page.status_code} without a CSRF token")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": match.group(1).decode()},
        base_url=BASE_URL,
        headers={"Referer": f"{BASE_URL}/login"},
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {email} answered {response.status_code}: run bench/seed_analytics.py first")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=8, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=1, help="requests per page before measuring")
    parser.add_argument("--days", default="90,365", help="lengths of the periods asked for, comma-separated")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statement")
    parser.add_argument("--wait-quiet", type=float, default=0, help="wait up to N s for an idle CPU first")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--timeout", type=int, default=1500, help="give up after this many seconds")
    args = parser.parse_args()
    time_limit(args.timeout, "bench_analytics")
    from sqlalchemy import event, func, select

    app = make_app(BENCH_ANALYTICS_DATABASE_URL)
    from app.extensions import db
    from app.models import Booking
    from app.models.conversation import Message
    from app.models.lead import Lead

    log = QueryLog()
    with app.app_context():
        sizes = {
            "bookings": db.session.scalar(select(func.count()).select_from(Booking)),
            "leads": db.session.scalar(select(func.count()).select_from(Lead)),
            "messages": db.session.scalar(select(func.count()).select_from(Message)),
        }
        db.session.remove()
        event.listen(db.engine, "connect", _statement_timeout)
        db.engine.dispose()
        event.listen(db.engine, "before_cursor_execute", log.before)
        event.listen(db.engine, "after_cursor_execute", log.after)
    manager, owner = app.test_client(), app.test_client()
    sign_in(manager, MANAGER_EMAIL, MANAGER_PASSWORD)
    sign_in(owner, OWNER_EMAIL, OWNER_PASSWORD)
    idle = wait_for_quiet(args.wait_quiet)
    database = make_url(BENCH_ANALYTICS_DATABASE_URL).database
    chosen = [p for p in PAGES if not args.only or (p or "index") in args.only.split(",")]
    results = []
    lengths = [int(d) for d in args.days.split(",")]
    for days in lengths:
        for who, client, scope in (("manager", manager, ""), ("owner, all stations", owner, "&scope=all")):
            for page in chosen:
                start = (date.today() - timedelta(days=days - 1)).isoformat()
                url = f"/s/{STATION}/analytics/{page}?from={start}&to={date.today().isoformat()}{scope}"
                name = f"{page or 'index'} ({who}, {days} d)"
                results.append(measure(client, log, name, [url], args.n, args.warmup, {}, database))
                print(f"  {name}: done", file=sys.stderr, flush=True)

    rows = [
        (
            r.name,
            f"{percentile(r.ms, 50):.0f}",
            f"{percentile(r.ms, 95):.0f}",
            f"{min(r.queries)}" + (f"-{max(r.queries)}" if max(r.queries) != min(r.queries) else ""),
            f"{percentile(r.sql_ms, 50):.0f}",
            f"{percentile(r.cpu_ms, 50):.0f}",
            f"{r.pg_cpu_ms:.0f}",
            f"{r.slowest.ms:.0f}" if r.slowest else "",
            f"{r.others:.0%}",
        )
        for r in results
    ]
    print()
    print(
        f"Analytics pages, {STATION} ({sizes['bookings']:,} bookings, {sizes['leads']:,} leads, "
        f"{sizes['messages']:,} messages in the database), last {args.days} days + comparison; N={args.n} after "
        f"{args.warmup} warm-up; {machine_summary()}; {conditions(idle)}; "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )
    print()
    print(
        table(
            [
                "page",
                "p50 ms",
                "p95 ms",
                "SQL queries",
                "SQL ms p50",
                "app CPU ms p50",
                "PG CPU ms",
                "slowest SQL ms",
                "other CPU",
            ],
            rows,
        )
    )
    if args.explain and results:
        worst = max(results, key=lambda r: r.slowest.ms if r.slowest else 0)
        print()
        print(f"Slowest statement ({worst.name}, {worst.slowest.ms:.0f} ms):")
        print(worst.slowest.sql)
        with app.app_context():
            print(explain(db, worst.slowest))
    return 0


if __name__ == "__main__":
    run(main)
