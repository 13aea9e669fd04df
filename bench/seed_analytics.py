"""Create the analytics bench database: 1,000,000 bookings, 300,000 leads, 2,000,000 messages.

    .venv/bin/python bench/seed_analytics.py                # full scale (several minutes)
    .venv/bin/python bench/seed_analytics.py --scale 0.1    # a tenth of everything (~1 min)

Drops and recreates `teppan_bench_analytics` (or BENCH_ANALYTICS_DATABASE_URL), runs the
migrations, then loads with COPY, indexes and foreign keys dropped during the load and
rebuilt after (seed_bookings.py's helpers). Three stations in three time zones share the
bookings 50/30/20; their bookings come from bench/_seed_data.generate() (capacity and the
one-chef-per-slot rule respected, payments and refunds), with chefs enough for about half
of the bookings to hold a place. On top of them:

- leads: every booking of source "lead" has its won lead (made 1 hour to weeks before);
  the rest are open, quoted, lost or nurturing, from channels, UTM sources and QR codes;
- conversations with customer turns (1-2 inbound messages, a reply after a log-normal
  delay, 1 in 10 turns never answered), an AI or staff draft per reply (some rejected
  first), labels and escalations, up to `--messages` messages in all;
- reviews for 35% of the completed parties.

The owner (OWNER_EMAIL) sees every station; the manager (MANAGER_EMAIL) manages them.
Timeline events (booking_events) are not loaded: no analytics page reads them. COPY goes
behind the ORM, so the analytics rollups are built last, as `flask analytics rebuild` does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from datetime import UTC, datetime, timedelta

from _common import MANAGER_EMAIL, ROOT, libpq_url, make_app, run, table, time_limit
from _seed_data import StationPlan, generate, weekly, words
from seed_bookings import (
    BOOKING_COLUMNS,
    CUSTOMER_COLUMNS,
    PAYMENT_COLUMNS,
    REFUND_COLUMNS,
    check_schema,
    copy_rows,
    create_people_and_places,
    drop_indexes_and_constraints,
    free_chefs_by_slot,
    quote_templates,
    recreate_database,
    refund_rows,
)

BENCH_ANALYTICS_DATABASE_URL = os.environ.get(
    "BENCH_ANALYTICS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/teppan_bench_analytics"
)
OWNER_EMAIL = "owner@bench.example"
OWNER_PASSWORD = "bench-owner-2026"
SHARES = (0.5, 0.3, 0.2)  # of bookings, leads and messages per station
SERVED_PER_CHEF = 2000  # places a chef's rota fills in ~3 years at the generator's demand curve

LEAD_SOURCES = (("quote_request", 45), ("chat", 20), ("sms", 10), ("instagram", 10), ("email", 5),
                ("contact_form", 5), ("slot_full", 5))  # fmt: skip
UTM_SOURCES = ((None, 50), ("google", 20), ("instagram", 15), ("facebook", 10), ("yelp", 5))
OPEN_STAGES = (("new", 10), ("contacted", 15), ("quoted", 20), ("lost", 40), ("nurturing", 15))
INTENTS = (("quote_request", 22), ("booking_request", 15), ("availability", 15), ("menu_dietary", 10),
           ("reschedule", 6), ("cancellation", 5), ("payment", 7), ("complaint", 3), ("feedback", 5),
           ("general_faq", 9), ("other", 3))  # fmt: skip
CHANNELS = (("sms", 45), ("instagram", 20), ("email", 20), ("webchat", 15))
RATINGS = ((5, 60), (4, 22), (3, 8), (2, 5), (1, 5))

BOOKING_LOAD_COLUMNS = [*BOOKING_COLUMNS, "lead_id", "qr_code_id"]
LEAD_COLUMNS = words(
    "id station_id name email phone source stage message first_touch last_touch quote booking_id lost_reason "
    "stage_changed_at score score_reasons temperature qr_code_id created_at updated_at"
)
CONVERSATION_COLUMNS = words(
    "id station_id channel contact contact_name subject status unread intent escalated last_inbound_at "
    "answered_at last_message_at last_preview created_at updated_at"
)
MESSAGE_COLUMNS = words(
    "id station_id conversation_id channel direction body status intent escalate escalation_reasons "
    "labels_corrected meta draft_id created_at sent_at"
)
DRAFT_COLUMNS = words(
    "id station_id conversation_id message_id status source generator intent body grounding prompt_tokens "
    "completion_tokens cost_microdollars attempts generated_at decided_at edit_distance accepted_unchanged "
    "created_at updated_at"
)
REVIEW_COLUMNS = words(
    "station_id booking_id customer_id chef_id rating text author_name photos source featured is_hidden "
    "created_at updated_at"
)
COL = {name: i for i, name in enumerate(BOOKING_COLUMNS)}
# What-if (--analytics-indexes) until a migration adds them: the indexes the analytics
# pages were measured with (bench/README.md, "Analytics"). IF NOT EXISTS: a no-op once migrated.
ANALYTICS_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_bookings_station_created_analytics ON bookings (station_id, created_at) "
    "INCLUDE (status, confirmed_at, total_cents, adults, children, toddlers, source, lead_id, qr_code_id, upgrades, "
    "add_ons)",
    "CREATE INDEX IF NOT EXISTS ix_bookings_station_event_analytics ON bookings (station_id, event_date) "
    "INCLUDE (id, status, chef_id, total_cents, paid_cents, refunded_cents, adults, children, toddlers, "
    "refund_eligible)",
    "CREATE INDEX IF NOT EXISTS ix_messages_station_created ON messages (station_id, created_at) "
    "INCLUDE (id, conversation_id, direction, channel, intent, escalate)",
    "CREATE INDEX IF NOT EXISTS ix_leads_station_created ON leads (station_id, created_at)",
    "CREATE INDEX IF NOT EXISTS ix_drafts_station_decided ON drafts (station_id, decided_at) "
    "INCLUDE (status, source, intent, accepted_unchanged, edit_distance)",
    "CREATE INDEX IF NOT EXISTS ix_payments_station_created ON payments (station_id, created_at)",
]


def pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def plans(scale: float) -> list[StationPlan]:
    total = int(1_000_000 * scale)
    spec = [
        ("atl", "Atlanta", "America/New_York", "30313", "275 Baker St NW, Atlanta, GA",
         "30303 30305 30306 30307 30308 30309 30310 30312 30314 30315 30316 30317 30318 30319", ["404", "678"]),
        ("dal", "Dallas", "America/Chicago", "75201", "1500 Marilla St, Dallas, TX",
         "75204 75205 75206 75219 75225 75230 76011 75024 75093 76102", ["214", "469"]),
        ("phx", "Phoenix", "America/Phoenix", "85004", "200 W Washington St, Phoenix, AZ",
         "85003 85006 85008 85012 85014 85016 85018 85020 85251 85281", ["602", "480"]),
    ]  # fmt: skip
    result = []
    for (slug, name, zone, zip_code, address, zips, codes), share in zip(spec, SHARES, strict=True):
        bookings = int(total * share)
        n_chefs = max(3, round(bookings * 0.46 / SERVED_PER_CHEF))
        chefs = [
            (f"{name} chef {i + 1:03d}", weekly(set(range(7)) - {i % 4}, (11, 0), (23, 59))) for i in range(n_chefs)
        ]
        result.append(StationPlan(f"bench-{slug}", f"Bench {name}", zone, zip_code, address, bookings,
                                  int(bookings * 0.6), chefs, words(zips), codes))  # fmt: skip
    return result


def create_owner_and_qr_codes(station_ids: dict[str, int]) -> dict[int, list[int]]:
    from app.auth.passwords import hash_password
    from app.extensions import db
    from app.models import Membership, User
    from app.models.qr import QrCode

    owner = User(email=OWNER_EMAIL, name="Bench Owner", password_hash=hash_password(OWNER_PASSWORD))
    db.session.add(owner)
    db.session.flush()
    db.session.add(Membership(user_id=owner.id, station_id=None, role="owner"))
    codes: dict[int, list[int]] = {}
    for slug, station_id in station_ids.items():
        rows = [
            QrCode(station_id=station_id, code=f"{slug}-{what}", name=f"{what.title()} flyer",
                   target_url="https://example.com/book", utm={"utm_source": "qr"})
            for what in ("truck", "table", "market", "gym", "school")
        ]  # fmt: skip
        db.session.add_all(rows)
        db.session.flush()
        codes[station_id] = [r.id for r in rows]
    db.session.commit()
    return codes


def leads_and_reviews(rows, station_id: int, n_leads: int, qr_ids: list[int], now: datetime, rng, next_lead: int):
    """Leads (the won ones linked to the `lead` bookings both ways) and reviews of completed parties."""
    leads, reviews = [], []
    bookings = rows.bookings
    for index, b in enumerate(bookings):
        lead_id = qr_id = None
        if b[COL["source"]] == "lead" and len(leads) < n_leads:
            lead_id = next_lead + len(leads)
            qr_id = rng.choice(qr_ids) if rng.random() < 0.1 else None
            created = b[COL["created_at"]] - timedelta(hours=1 + rng.expovariate(1 / 96))
            leads.append(_lead(lead_id, station_id, created, "won", b[COL["id"]], qr_id, now, rng))
        bookings[index] = (*b, lead_id, qr_id)
        if b[COL["status"]] == "completed" and rng.random() < 0.35:
            at = b[COL["completed_at"]] + timedelta(hours=rng.randint(20, 120))
            if at < now:
                rating = pick(rng, RATINGS)
                reviews.append((station_id, b[COL["id"]], b[COL["customer_id"]], b[COL["chef_id"]], rating,
                                "Great night!", "A. Guest", "[]", "link", False, False, at, at))  # fmt: skip
    span = 730 * 86400
    while len(leads) < n_leads:
        lead_id = next_lead + len(leads)
        created = now - timedelta(seconds=rng.randint(0, span))
        qr_id = rng.choice(qr_ids) if rng.random() < 0.08 else None
        leads.append(_lead(lead_id, station_id, created, pick(rng, OPEN_STAGES), None, qr_id, now, rng))
    return leads, reviews


def _lead(lead_id, station_id, created, stage, booking_id, qr_id, now, rng) -> tuple:
    utm = pick(rng, UTM_SOURCES)
    touch = json.dumps({"at": created.isoformat(), **({"utm_source": utm} if utm else {})})
    quoted = stage in ("quoted", "won") or (stage == "lost" and rng.random() < 0.5)
    quote = json.dumps({"total_cents": rng.randint(550, 2000) * 100}) if quoted else None
    changed = min(created + timedelta(hours=rng.randint(1, 400)), now)
    return (lead_id, station_id, f"Lead {lead_id}", f"lead{lead_id}@example.com", None, pick(rng, LEAD_SOURCES),
            stage, "", touch, touch, quote, booking_id, "Too far" if stage == "lost" else "", changed,
            rng.randint(0, 100), "[]", "cold", qr_id, created, changed)  # fmt: skip


class Ids:
    def __init__(self) -> None:
        self.conversation = self.message = self.draft = 1


def conversations(station_id: int, n_messages: int, now: datetime, rng, ids: Ids):
    """Yields ("conversations" | "messages" | "drafts", row) until about `n_messages` messages."""
    made = 0
    span = 730 * 86400
    while made < n_messages:
        cid = ids.conversation
        ids.conversation += 1
        channel = pick(rng, CHANNELS)
        at = now - timedelta(seconds=rng.randint(3600, span))
        created = at
        last_in = answered = None
        for _turn in range(1 + int(rng.expovariate(1 / 2.2))):
            if at >= now:
                break
            intent = pick(rng, INTENTS)
            escalate = intent == "complaint" or rng.random() < 0.02
            inbound_ids = []
            for _ in range(1 if rng.random() < 0.7 else 2):
                inbound_ids.append(ids.message)
                yield "messages", (ids.message, station_id, cid, channel, "in", "Hello, how much for 12?", "received",
                                   intent, escalate, "[]", False, "{}", None, at, None)  # fmt: skip
                ids.message += 1
                made += 1
                last_in = at
                at += timedelta(seconds=rng.randint(10, 300))
            if rng.random() < 0.1:  # never answered
                at += timedelta(days=rng.expovariate(1 / 4))
                continue
            reply_at = at + timedelta(minutes=min(rng.lognormvariate(math.log(25), 1.1), 60 * 24 * 5))
            if reply_at >= now:
                break
            ai = rng.random() < 0.85
            if ai and rng.random() < 0.06:  # a first AI draft the manager rejected
                yield "drafts", _draft(ids.draft, station_id, cid, inbound_ids[-1], "rejected", "ai", intent,
                                       last_in, reply_at - timedelta(minutes=1), None, None)  # fmt: skip
                ids.draft += 1
            unchanged = ai and rng.random() < 0.55
            distance = 0 if unchanged else int(rng.expovariate(1 / 35)) + 1
            draft_id = ids.draft
            yield "drafts", _draft(draft_id, station_id, cid, inbound_ids[-1], "sent", "ai" if ai else "staff", intent,
                                   last_in, reply_at, distance, unchanged if ai else None)  # fmt: skip
            ids.draft += 1
            yield "messages", (ids.message, station_id, cid, channel, "out", "Thanks! For 12 guests...", "sent",
                               None, False, "[]", False, "{}", draft_id, reply_at, reply_at)  # fmt: skip
            ids.message += 1
            made += 1
            answered = reply_at
            at = reply_at + timedelta(days=rng.expovariate(1 / 3))
        yield "conversations", (cid, station_id, channel, f"{channel}-{station_id}-{cid}", "", "", "open", 0, None,
                                False, last_in, answered, max(filter(None, (last_in, answered, created))), "",
                                created, created)  # fmt: skip


def _draft(draft_id, station_id, cid, message_id, status, source, intent, generated, decided, distance, unchanged):
    generated_at = generated + timedelta(seconds=4)
    return (draft_id, station_id, cid, message_id, status, source, "offline-templates-1", intent, "Thanks! For 12",
            "{}", 0, 0, 0, 1, generated_at, decided, distance, unchanged, generated, decided)  # fmt: skip


def stream_copy(cur, groups: dict[str, list[str]], rows) -> dict[str, int]:
    """COPY a mixed stream of (table, row) into several tables, buffering one table at a time."""
    buffers: dict[str, list[tuple]] = {name: [] for name in groups}
    counts = dict.fromkeys(groups, 0)

    def flush(name: str) -> None:
        copy_rows(cur, name, groups[name], buffers[name])
        counts[name] += len(buffers[name])
        buffers[name].clear()

    for name, row in rows:
        buffers[name].append(row)
        if len(buffers[name]) >= 50_000:
            flush(name)
    for name in groups:
        flush(name)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full size (1M bookings)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=int, default=3000, help="give up after this many seconds")
    parser.add_argument(
        "--analytics-indexes", action="store_true", help="also build the indexes the analytics pages need (what-if)"
    )
    args = parser.parse_args()
    time_limit(args.timeout, "seeding")
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    station_plans = plans(args.scale)
    n_leads, n_messages = int(300_000 * args.scale), int(2_000_000 * args.scale)

    def phase(name: str, since: float) -> float:
        t = time.perf_counter()
        print(f"  {name}: {t - since:.1f} s", flush=True)
        return t

    url = BENCH_ANALYTICS_DATABASE_URL
    print(f"Seeding {url.rsplit('/', 1)[-1]} at scale {args.scale:g}", flush=True)
    recreate_database(url)
    app = make_app(url)
    import psycopg
    from flask_migrate import upgrade

    from app.extensions import db

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
        made = create_people_and_places(station_plans, now, rng)
        station_ids = {slug: info["station"].id for slug, info in made["stations"].items()}
        qr_codes = create_owner_and_qr_codes(station_ids)
        caps, templates = {}, {}
        for plan in station_plans:
            info = made["stations"][plan.slug]
            caps[plan.slug] = free_chefs_by_slot(info["station"], info["first"], info["last"])
            templates[plan.slug] = quote_templates(info["station"], plan, rng)
        manager_id = made["manager"].id
        db.session.remove()
        db.engine.dispose()
    t = phase("database, migrations, stations, chefs, capacities, sample quotes", started)

    loads = {
        "customers": CUSTOMER_COLUMNS,
        "bookings": BOOKING_LOAD_COLUMNS,
        "payments": PAYMENT_COLUMNS,
        "refunds": REFUND_COLUMNS,
        "leads": LEAD_COLUMNS,
        "reviews": REVIEW_COLUMNS,
        "conversations": CONVERSATION_COLUMNS,
        "messages": MESSAGE_COLUMNS,
        "drafts": DRAFT_COLUMNS,
    }
    counts = dict.fromkeys(loads, 0)
    with psycopg.connect(libpq_url(url), options="-c statement_timeout=0") as conn, conn.cursor() as cur:
        check_schema(cur, {name: (columns, "") for name, columns in loads.items()})
        cur.execute("SET maintenance_work_mem = '512MB'")
        restore = drop_indexes_and_constraints(cur, list(loads))
        next_booking = next_customer = next_payment = next_lead = 1
        references: set[str] = set()
        ids = Ids()
        for plan, share in zip(station_plans, SHARES, strict=True):
            sid = station_ids[plan.slug]
            rows = generate(plan, sid, caps[plan.slug], templates[plan.slug], manager_id, now, rng,
                            next_booking, next_customer, next_payment, references)  # fmt: skip
            rows.events.clear()  # the timeline is not read by analytics: not loaded
            next_booking += len(rows.bookings)
            next_customer += len(rows.customers)
            next_payment = max((p[0] for p in rows.payments), default=next_payment - 1) + 1
            leads, reviews = leads_and_reviews(rows, sid, int(n_leads * share), qr_codes[sid], now, rng, next_lead)
            next_lead += len(leads)
            t = phase(f"{plan.slug}: generate {len(rows.bookings):,} bookings, {len(leads):,} leads", t)
            for name, data in (("customers", rows.customers), ("bookings", rows.bookings),
                               ("payments", rows.payments), ("refunds", refund_rows(rows)), ("leads", leads),
                               ("reviews", reviews)):  # fmt: skip
                copy_rows(cur, name, loads[name], data)
                counts[name] += len(data)
            del rows, leads, reviews
            streamed = stream_copy(
                cur,
                {k: loads[k] for k in ("conversations", "messages", "drafts")},
                conversations(sid, int(n_messages * share), now, rng, ids),
            )
            for name, n in streamed.items():
                counts[name] += n
            t = phase(f"{plan.slug}: COPY (and conversations generated on the way)", t)
        for statement in restore + (ANALYTICS_INDEXES if args.analytics_indexes else []):
            cur.execute(statement)
        t = phase(f"{len(restore)} indexes and constraints rebuilt (+ analytics: {args.analytics_indexes})", t)
        for name in loads:
            if name != "reviews" or counts[name]:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))"
                )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        t = phase("VACUUM ANALYZE", t)
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    with app.app_context():
        from app.analytics import verify

        for station in verify.station_refs():
            verify.rebuild(station, progress=lambda _line: None)
        verify.analyze()
        db.session.remove()
    t = phase("analytics rollups (flask analytics rebuild)", t)
    print()
    print(table(["table", "rows"], [(name, f"{n:,}") for name, n in counts.items()]))
    print(f"Database size: {size}")
    print(f"Stations: {', '.join(station_ids)}; owner {OWNER_EMAIL} / {OWNER_PASSWORD}; manager {MANAGER_EMAIL}")
    print(f"Seeded in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    run(main)
