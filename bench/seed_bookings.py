"""Create the bench database: one station with 100,000 bookings over ~3 years, and a small one.

    .venv/bin/python bench/seed_bookings.py            # drops and recreates teppan_bench
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/seed_bookings.py

Drops and creates the database, runs the migrations (flask_migrate.upgrade, production
config), then loads with PostgreSQL COPY (rows are generated in Python, never one ORM
object at a time): stations, a manager (MANAGER_EMAIL / MANAGER_PASSWORD in
bench/_common.py), 12 chefs with weekly windows, time off and blackout days, ~60,000
customers, the bookings with their timeline events (~2.8 each), payments and refunds
(in the `refunds` table when the schema has it, else payments of kind "refund"), then
150,000 leads and 167,000 inbox conversations (bench/_seed_inbox.py, generate_series).

The data respects what the app guarantees: a chef at most once per (date, slot) among
bookings that hold a slot (uq_bookings_chef_slot), and bookings holding a slot never
above its capacity as app.availability.services.capacities() computes it (checked
after loading). Twelve chefs, four slots a day, ~3 years give ~44,000 (date, slot, chef)
places in all, so well over half of the 100,000 bookings must be ones that hold no
slot (expired deposit holds, cancellations); see bench/README.md. The same --seed gives
the same data on the same day (dates count from today).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from _common import (
    BENCH_DATABASE_URL,
    MANAGER_EMAIL,
    MANAGER_PASSWORD,
    ROOT,
    libpq_url,
    make_app,
    run,
    table,
    time_limit,
)
from _seed_data import ADD_ON_MIX, PLANS, UPGRADE_MIX, StationPlan, generate, words
from _seed_inbox import seed_leads_and_conversations

# --- database and schema -----------------------------------------------------------------


def recreate_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": target.database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


BOOKING_COLUMNS = words(
    "id station_id reference public_token status source customer_id chef_id event_date slot_time starts_at "
    "address zip_code adults children toddlers upgrades add_ons proteins allergies notes currency quote "
    "total_cents deposit_cents paid_cents refunded_cents distance_miles deposit_due_at confirmed_at "
    "completed_at cancelled_at cancelled_by_id cancel_reason refund_eligible reschedule_count created_by_id "
    "consent attribution created_at updated_at"
)
CUSTOMER_COLUMNS = words(
    "id station_id name email phone notes email_consent sms_consent merged_into_id created_at updated_at"
)
EVENT_COLUMNS = words("station_id booking_id occurred_at actor_id actor_label kind before after note")
PAYMENT_COLUMNS = words(
    "id station_id booking_id kind method amount_cents currency status provider provider_ref note recorded_by_id "
    "details created_at"
)
REFUND_COLUMNS = words(
    "station_id booking_id payment_id amount_cents currency method status provider provider_ref idempotency_key "
    "reason failure_reason recorded_by_id created_at updated_at"
)
# Table -> (columns, Rows attribute), in foreign-key order; "refunds" when the table exists.
LOADS = {
    "customers": (CUSTOMER_COLUMNS, "customers"),
    "bookings": (BOOKING_COLUMNS, "bookings"),
    "booking_events": (EVENT_COLUMNS, "events"),
    "payments": (PAYMENT_COLUMNS, "payments"),
}


def refund_rows(rows) -> list[tuple]:
    """Rows of the `refunds` table (succeeded refunds of deposits)."""
    return [
        (station, booking, payment, amount, "USD", method, "succeeded", provider, ref,
         f"refund-bench-{booking}", reason, "", by, at, at)
        for station, booking, payment, amount, method, provider, ref, reason, by, at in rows.refunds
    ]  # fmt: skip


def refunds_as_payments(rows, next_id: int) -> int:
    """Before the `refunds` table: a refund was a payment of kind "refund"."""
    for station, booking, _, amount, method, _, _, reason, by, at in rows.refunds:
        rows.payments.append((next_id, station, booking, "refund", method, amount, "USD", "succeeded", None, None,
                              reason, by, "{}", at))  # fmt: skip
        next_id += 1
    return next_id


def check_schema(cur, loads: dict[str, tuple[list[str], str]]) -> None:
    """Fail clearly when a migration added a required column this script does not fill."""
    problems = []
    for tbl, (columns, _) in loads.items():
        cur.execute(
            "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            (tbl,),
        )
        found = {name: (nullable, default) for name, nullable, default in cur.fetchall()}
        if not found:
            problems.append(f"table {tbl} does not exist")
            continue
        problems += [f"{tbl}.{c} no longer exists" for c in columns if c not in found]
        problems += [
            f"{tbl}.{name} is NOT NULL without a default"
            for name, (nullable, default) in found.items()
            if nullable == "NO" and default is None and name not in columns and name != "id"
        ]
    if problems:
        raise SystemExit("The schema changed; update bench/seed_bookings.py: " + "; ".join(problems))


# --- the small, ORM-made part: stations, users, chefs ---------------------------------------


def create_people_and_places(plans: list[StationPlan], now: datetime, rng: random.Random) -> dict:
    from app.auth.passwords import hash_password
    from app.extensions import db
    from app.models import AvailabilityWindow, Blackout, Chef, Membership, Station, TimeOff, User

    manager = User(email=MANAGER_EMAIL, name="Bench Manager", password_hash=hash_password(MANAGER_PASSWORD))
    db.session.add(manager)
    made = {"manager": manager, "stations": {}}
    for plan in plans:
        station = Station(
            slug=plan.slug,
            name=plan.name,
            timezone=plan.timezone,
            address=plan.address,
            zip_code=plan.zip_code,
            phone="+14045550100",
            email=f"{plan.slug}@bench.example",
            is_active=True,
            settings_overrides={},
        )
        db.session.add(station)
        db.session.flush()
        db.session.add(Membership(user_id=manager.id, station_id=station.id, role="manager"))
        today = now.astimezone(ZoneInfo(plan.timezone)).date()
        first, last = today - timedelta(days=plan.past_days), today + timedelta(days=plan.future_days)
        chefs = []
        for name, windows in plan.chefs:
            chef = Chef(station_id=station.id, name=name, phone="", email="", is_active=True)
            db.session.add(chef)
            db.session.flush()
            for weekday, (starts, ends) in sorted(windows.items()):
                db.session.add(
                    AvailabilityWindow(
                        station_id=station.id, chef_id=chef.id, weekday=weekday, starts=starts, ends=ends
                    )
                )
            # About one approved week off a year, plus requests that change nothing.
            day = first + timedelta(days=rng.randint(0, 200))
            while day < last:
                status = rng.choices(["approved", "requested", "rejected"], [6, 1, 1])[0]
                length = rng.randint(2, 8)
                db.session.add(
                    TimeOff(
                        station_id=station.id,
                        chef_id=chef.id,
                        first_day=day,
                        last_day=day + timedelta(days=length - 1),
                        reason="Vacation",
                        status=status,
                    )
                )
                day += timedelta(days=rng.randint(150, 330))
            chefs.append(chef)
        blackout_days = set()
        for year in range(first.year, last.year + 1):
            nov1 = date(year, 11, 1)
            thanksgiving = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)
            blackout_days |= {date(year, 12, 25), date(year, 1, 1), thanksgiving}
        for day in sorted(d for d in blackout_days if first <= d <= last):
            db.session.add(Blackout(station_id=station.id, day=day, reason="Holiday"))
        db.session.flush()
        made["stations"][plan.slug] = {"station": station, "chefs": chefs, "first": first, "last": last}
    db.session.commit()
    return made


def free_chefs_by_slot(station, first: date, last: date) -> dict[tuple[date, str], list[int]]:
    """Chef ids able to cook each (date, slot), by the rule capacities() applies."""
    from sqlalchemy import select

    from app.availability.services import _slot_end, capacities, parse_hhmm
    from app.extensions import db
    from app.models import AvailabilityWindow, Blackout, Chef, TimeOff

    settings = station.settings
    windows = db.session.execute(
        select(AvailabilityWindow.chef_id, AvailabilityWindow.weekday, AvailabilityWindow.starts,
               AvailabilityWindow.ends)
        .join(Chef, Chef.id == AvailabilityWindow.chef_id)
        .where(Chef.station_id == station.id, Chef.is_active)
    ).all()  # fmt: skip
    away = db.session.execute(
        select(TimeOff.chef_id, TimeOff.first_day, TimeOff.last_day).where(
            TimeOff.station_id == station.id, TimeOff.status == "approved"
        )
    ).all()
    blackouts = set(db.session.scalars(select(Blackout.day).where(Blackout.station_id == station.id)))
    caps = capacities(station, first, last)
    result = {}
    day = first
    while day <= last:
        gone = {chef for chef, a, b in away if a <= day <= b}
        for slot in settings.slot_times:
            start = parse_hhmm(slot)
            end = _slot_end(start, settings.slot_duration_minutes)
            if day in blackouts or end is None:
                ids: list[int] = []
            else:
                ids = sorted(
                    {c for c, wd, s, e in windows if wd == day.weekday() and c not in gone and s <= start and end <= e}
                )
            if len(ids) != caps[(day, slot)]:
                raise SystemExit(
                    f"capacity of {day} {slot} is {caps[(day, slot)]} in the app but {len(ids)} here: "
                    "app.availability.services changed; update bench/seed_bookings.py"
                )
            result[(day, slot)] = ids
        day += timedelta(days=1)
    return result


def quote_templates(station, plan: StationPlan, rng: random.Random, count: int = 400) -> list[dict]:
    """Parties priced by the app's own pricing service (each booking reuses one of these)."""
    from app.bookings.schemas import Party
    from app.bookings.services import price
    from app.errors import DomainError

    templates = []
    for _ in range(count):
        party = Party(
            adults=max(1, min(60, int(rng.lognormvariate(2.45, 0.45)))),
            children=rng.choices([0, 1, 2, 3, 4, 6, 8], [30, 12, 20, 14, 12, 8, 4])[0],
            toddlers=rng.choices([0, 1, 2, 3], [60, 25, 12, 3])[0],
            upgrades=rng.choice(UPGRADE_MIX),
            add_ons=rng.choice(ADD_ON_MIX),
        )
        zip_code = rng.choice(plan.nearby_zips)
        try:
            quote = price(station, party, zip_code=zip_code)
        except DomainError:
            continue
        templates.append(
            {
                "zip": zip_code,
                "adults": party.adults,
                "children": party.children,
                "toddlers": party.toddlers,
                "upgrades": json.dumps(party.upgrades),
                "add_ons": json.dumps(party.add_ons),
                "quote": json.dumps(quote.as_dict()),
                "total": quote.total_cents,
                "deposit": quote.deposit_cents,
                "miles": quote.distance_miles,
                "guests": party.adults + party.children + party.toddlers,
            }
        )
    if len(templates) < count // 2:
        raise SystemExit(f"only {len(templates)} of {count} sample parties could be priced")
    return templates


# --- loading -----------------------------------------------------------------------------------


def drop_indexes_and_constraints(cur, tables: list[str]) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes (not primary keys) of `tables`.

    Returns the statements that put them back, same names and definitions: building
    an index once and checking a foreign key in one pass beat doing it row by row.
    """
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
        (tables,),
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))",
        (tables,),
    )
    indexes = cur.fetchall()
    for tbl, name, _ in constraints:
        cur.execute(f'ALTER TABLE {tbl} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    restore = [definition for _, definition in indexes]
    # Unique constraints first ('u' sorts after 'f', hence DESC above), then foreign keys.
    restore += [f'ALTER TABLE {tbl} ADD CONSTRAINT "{name}" {definition}' for tbl, name, definition in constraints]
    return restore


def copy_rows(cur, tbl: str, columns: list[str], rows: list[tuple]) -> None:
    with cur.copy(f"COPY {tbl} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def verify(cur, station_ids: dict[str, int], caps: dict[str, dict]) -> list[str]:
    """Check what the app guarantees; returns lines to print, raises on a violation."""
    lines = []
    cur.execute(
        "SELECT chef_id, event_date, slot_time, count(*) FROM bookings WHERE chef_id IS NOT NULL "
        "AND status IN ('pending_deposit', 'confirmed', 'completed') GROUP BY 1, 2, 3 HAVING count(*) > 1"
    )
    if cur.fetchall():
        raise SystemExit("a chef is assigned twice in one slot")
    for slug, station_id in station_ids.items():
        cur.execute(
            "SELECT event_date, slot_time, count(*) FROM bookings WHERE station_id = %s "
            "AND status IN ('pending_deposit', 'confirmed', 'completed') GROUP BY 1, 2",
            (station_id,),
        )
        held = cur.fetchall()
        over = [(d, s, n) for d, s, n in held if n > len(caps[slug].get((d, s), []))]
        if over:
            raise SystemExit(f"{slug}: {len(over)} slots sold beyond capacity, e.g. {over[:3]}")
        places = sum(len(v) for v in caps[slug].values())
        taken = sum(n for _, _, n in held)
        full = sum(1 for d, s, n in held if n == len(caps[slug][(d, s)]))
        lines.append(
            f"{slug}: capacity respected in every slot; {taken:,} of {places:,} (date, slot, chef) places "
            f"held ({taken / places:.0%}), {full:,} slots full"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=100_000, help="bookings of the big station")
    parser.add_argument("--customers", type=int, default=60_000, help="customers of the big station")
    parser.add_argument("--leads", type=int, default=150_000, help="leads of the big station")
    parser.add_argument("--conversations", type=int, default=167_000, help="inbox conversations of the big station")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=int, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    time_limit(args.timeout, "seeding")
    plans = PLANS
    plans[0].bookings, plans[0].customers = args.bookings, args.customers
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    phases: list[tuple[str, float]] = []

    def phase(name: str, since: float) -> float:
        t = time.perf_counter()
        phases.append((name, t - since))
        print(f"  {name}: {t - since:.1f} s", flush=True)
        return t

    print(f"Seeding {BENCH_DATABASE_URL.rsplit('/', 1)[-1]} ({BENCH_DATABASE_URL.split('@')[-1]})", flush=True)
    recreate_database(BENCH_DATABASE_URL)
    app = make_app(BENCH_DATABASE_URL)
    t = phase("drop + create database", started)
    import psycopg
    from flask_migrate import upgrade

    from app.extensions import db

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
        t = phase("migrations", t)
        made = create_people_and_places(plans, now, rng)
        station_ids = {slug: info["station"].id for slug, info in made["stations"].items()}
        manager_id = made["manager"].id
        t = phase("stations, manager (argon2 hash), chefs, windows, time off, blackouts", t)
        caps, rows_by_station, templates = {}, {}, {}
        for plan in plans:
            info = made["stations"][plan.slug]
            caps[plan.slug] = free_chefs_by_slot(info["station"], info["first"], info["last"])
            templates[plan.slug] = quote_templates(info["station"], plan, rng)
        t = phase("capacities (app.availability) and sample quotes (app.pricing)", t)
        next_booking, next_customer, next_payment, references = 1, 1, 1, set()
        for plan in plans:
            rows_by_station[plan.slug] = generate(
                plan, station_ids[plan.slug], caps[plan.slug], templates[plan.slug], manager_id, now, rng,
                next_booking, next_customer, next_payment, references,
            )  # fmt: skip
            next_booking += len(rows_by_station[plan.slug].bookings)
            next_customer += len(rows_by_station[plan.slug].customers)
            next_payment = max((p[0] for p in rows_by_station[plan.slug].payments), default=next_payment - 1) + 1
        t = phase("generate rows (Python)", t)
        db.session.remove()
        db.engine.dispose()

    with psycopg.connect(libpq_url(BENCH_DATABASE_URL), options="-c statement_timeout=300000") as conn:
        with conn.cursor() as cur:
            loads = dict(LOADS)
            cur.execute("SELECT to_regclass('public.refunds') IS NOT NULL")
            if cur.fetchone()[0]:
                loads["refunds"] = (REFUND_COLUMNS, "refund_table_rows")
                for rows in rows_by_station.values():
                    rows.refund_table_rows = refund_rows(rows)
            else:
                for rows in rows_by_station.values():
                    next_payment = refunds_as_payments(rows, next_payment)
            check_schema(cur, loads)
            cur.execute("SET maintenance_work_mem = '256MB'")
            restore = drop_indexes_and_constraints(cur, list(loads))
            for tbl, (columns, attr) in loads.items():
                all_rows = [r for rows in rows_by_station.values() for r in getattr(rows, attr)]
                copy_rows(cur, tbl, columns, all_rows)
            t = phase("COPY into PostgreSQL (indexes and foreign keys dropped)", t)
            for statement in restore:
                cur.execute(statement)
            t = phase(f"{len(restore)} indexes and constraints rebuilt", t)
            for tbl in loads:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{tbl}', 'id'), (SELECT coalesce(max(id), 1) FROM {tbl}))"
                )
            seed_leads_and_conversations(
                cur, station_ids[plans[0].slug], now, leads=args.leads, conversations=args.conversations
            )
            t = phase(f"{args.leads:,} leads and {args.conversations:,} conversations (generate_series)", t)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        t = phase("VACUUM ANALYZE", t)
        with conn.cursor() as cur:
            checks = verify(cur, station_ids, caps)
            counts = []
            counted = ["stations", "users", "chefs", "availability_windows", "time_off", "blackouts", *loads, "leads"]
            counted.append("conversations")
            for tbl in counted:
                cur.execute(f"SELECT count(*) FROM {tbl}")
                counts.append((tbl, f"{cur.fetchone()[0]:,}"))
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cur.fetchone()[0]
        t = phase("verify", t)

    total = time.perf_counter() - started
    big = rows_by_station[plans[0].slug]
    print()
    print(table(["table", "rows"], counts))
    print()
    n = sum(big.statuses.values())
    print(f"Statuses of {plans[0].slug} ({n:,} bookings):")
    print(
        table(["status", "bookings", "share"], [(s, f"{c:,}", f"{c / n:.1%}") for s, c in big.statuses.most_common()])
    )
    print()
    for line in checks:
        print(line)
    print(f"Database size: {size}")
    print(f"Sign in: {MANAGER_EMAIL} / {MANAGER_PASSWORD} (station slugs: {', '.join(station_ids)})")
    print(f"Seeded in {total:.1f} s")
    return 0


if __name__ == "__main__":
    run(main)
