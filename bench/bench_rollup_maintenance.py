"""What keeping the analytics rollups current costs: per triggering transaction, and per job.

    .venv/bin/python bench/bench_rollup_maintenance.py [-n 40]

Against the analytics bench database (seed_analytics.py), in the app's production config:

1. **Added to the triggering request or job**: the same change (a booking cancelled and put
   back, a message relabelled, a refund recorded) committed N times with the session hook
   of app.analytics.maintenance on and N times with it off, interleaved; the difference of
   the p50 commit times is what the hook adds (it notes the rows and writes one
   `analytics_pending` row in the transaction).
2. **The catch-up** (the periodic job `analytics.refresh_pending`, or the next analytics
   page): `catch_up()` after each of those commits, which recomputes the station-days that
   one change touched; p50 / p95.

Every change is undone (the booking's status and the label are put back, the refunds
deleted) and the rollups of the days touched with the hook off are redone at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from _common import (
    conditions,
    machine_summary,
    make_app,
    percentile,
    run,
    table,
    time_limit,
    wait_for_quiet,
)
from seed_analytics import BENCH_ANALYTICS_DATABASE_URL


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=40, help="commits per change and setting")
    parser.add_argument("--wait-quiet", type=float, default=0, help="wait up to N s for an idle CPU first")
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    time_limit(args.timeout, "bench_rollup_maintenance")
    app = make_app(BENCH_ANALYTICS_DATABASE_URL)
    from sqlalchemy import delete, event, func, select
    from sqlalchemy.orm import Session

    from app.analytics import maintenance
    from app.extensions import db
    from app.models.analytics import pending
    from app.models.booking import Booking
    from app.models.conversation import Message
    from app.models.payment import Refund

    hooks = [("before_flush", maintenance._collect_changed), ("after_flush", maintenance._collect_new),
             ("before_commit", maintenance._write_pending)]  # fmt: skip

    def hook(on: bool) -> None:
        for name, fn in hooks:
            if on and not event.contains(Session, name, fn):
                event.listen(Session, name, fn)
            elif not on and event.contains(Session, name, fn):
                event.remove(Session, name, fn)

    rows = []
    with app.app_context():
        booking_ids = list(db.session.scalars(select(Booking.id).where(Booking.status == "confirmed").limit(args.n)))
        message_ids = list(db.session.scalars(select(Message.id).where(Message.direction == "in").limit(args.n)))
        db.session.commit()
        idle = wait_for_quiet(args.wait_quiet)

        def cancel(i: int) -> None:
            booking = db.session.get(Booking, booking_ids[i % len(booking_ids)])
            booking.status = "cancelled" if booking.status == "confirmed" else "confirmed"

        def relabel(i: int) -> None:
            message = db.session.get(Message, message_ids[i % len(message_ids)])
            message.escalate = not message.escalate

        def refund(i: int) -> None:
            booking = db.session.get(Booking, booking_ids[i % len(booking_ids)])
            db.session.add(Refund(station_id=booking.station_id, booking_id=booking.id, amount_cents=100, method="cash",
                                  status="succeeded", reason="bench", created_at=datetime.now(UTC)))  # fmt: skip

        for name, change in (("booking cancelled (or put back)", cancel), ("message relabelled", relabel),
                             ("refund recorded", refund)):  # fmt: skip
            commits: dict[bool, list[float]] = {True: [], False: []}
            jobs: list[float] = []
            for i in range(args.n * 2):
                on = i % 2 == 0  # interleaved, so that load on the machine hits both alike
                hook(on)
                change(i // 2 if on else i // 2 + 1)
                db.session.flush()
                started = time.perf_counter()
                db.session.commit()
                commits[on].append((time.perf_counter() - started) * 1000)
                if on:
                    started = time.perf_counter()
                    maintenance.catch_up()  # commits
                    jobs.append((time.perf_counter() - started) * 1000)
            hook(True)
            added = percentile(commits[True], 50) - percentile(commits[False], 50)
            rows.append((name, f"{percentile(commits[False], 50):.2f}", f"{percentile(commits[True], 50):.2f}",
                         f"{added:.2f}", f"{percentile(jobs, 50):.1f}", f"{percentile(jobs, 95):.1f}"))  # fmt: skip
            print(f"  {name}: done", file=sys.stderr, flush=True)
        # Undo: statuses back, bench refunds and the outbox rows gone, the rollups of those days redone.
        hook(False)
        for booking_id in booking_ids:
            booking = db.session.get(Booking, booking_id)
            booking.status = "confirmed"
        db.session.execute(delete(Refund).where(Refund.reason == "bench"))
        db.session.commit()
        hook(True)
        bookings = db.session.scalars(select(Booking).where(Booking.id.in_(booking_ids)))
        touched = [[family, b.station_id, v] for b in bookings
                   for family, v in (("made", b.created_at.isoformat()), ("events", b.event_date.isoformat()),
                                     ("money", datetime.now(UTC).isoformat()))]  # fmt: skip
        touched += [["messages", m.station_id, m.created_at.isoformat()]
                    for m in db.session.scalars(select(Message).where(Message.id.in_(message_ids)))]  # fmt: skip
        maintenance.refresh(touched)
        db.session.commit()
        maintenance.catch_up()
        left = db.session.scalar(select(func.count()).select_from(pending))
    print()
    print(f"Rollup maintenance, N={args.n} commits per change and setting; {machine_summary()}; {conditions(idle)}; "
          f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; pending left: {left}")  # fmt: skip
    print()
    print(table(["change (one transaction)", "commit ms p50, hook off", "hook on", "added ms",
                 "catch-up ms p50", "catch-up ms p95"], rows))  # fmt: skip
    return 0


if __name__ == "__main__":
    run(main)
