"""How long offline drafting takes per message: p50/p95 over ~200 varied messages (EN/ES/FR).

    .venv/bin/python bench/bench_drafts.py            # a throwaway PostgreSQL database (created, then dropped)
    .venv/bin/python bench/bench_drafts.py --sqlite   # a throwaway SQLite file instead (no server needed)

The database gets one station with chefs, a few bookings, a knowledge base of 24 entries
and 120 approved replies (examples), all made here. Each message goes through
`app.ai.drafting.compose` exactly as the conversations job calls it (fact extraction,
pricing, availability, knowledge and example retrieval, templates, numbers guard),
with no OpenAI key. Then the whole job is timed: each message is stored with
`receive()` and `conversations.process_inbound` runs as a worker runs it (offline
classifier, draft row, compose, commits). Prints figures; fails only when a draft cannot
be composed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine_summary, percentile, table

DATABASE_URL = os.environ.get(
    "BENCH_DRAFTS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/teppan_bench_drafts"
)
MESSAGES = 200
SEED = 20261125

INTENT_MESSAGES = {
    "quote_request": [
        "How much for {n} people?", "price for {a} adults and {k} kids in {zip}", "¿Cuánto para {n}?",
        "twenty-five adults, how much with lobster for everyone?", "combien pour vingt-deux adultes le {day} ?",
        "how much extra to come out to Macon?",
    ],
    "booking_request": [
        "We'd like to book {day} for {n} guests at 6pm, zip {zip}", "Reserva para {n} el {day}",
        "can we add 5 more people to our party?",
    ],
    "availability": ["Are you free {day}?", "¿Tienen disponible el {day}?", "anything open next Saturday?",
                     "Saturday evening for {n}?", "Memorial Day for {n} adults?"],
    "reschedule": ["Can we move our party to {day}?", "¿Podemos cambiar la fecha al {day}?",
                   "on peut décaler au {day} ?"],
    "cancellation": ["I need to cancel my booking", "Quiero cancelar la reserva", "je dois annuler, remboursé ?"],
    "payment": ["Did you get my deposit?", "Can I pay the balance by card?", "¿Recibieron mi depósito?",
                "do you take venmo"],
    "menu_dietary": ["What proteins can we choose? One guest is vegan", "¿Tienen opciones sin gluten?"],
    "complaint": ["The chef was 2 hours late and the food was cold", "El chef llegó tarde"],
    "feedback": ["Thank you! Everyone loved the show", "¡Gracias! Todo estuvo delicioso", "you guys killed it 🔥"],
    "general_faq": ["How much space do you need for the grill?", "Do you cook if it rains?", "¿Traen platos?",
                    "Is gratuity included?", "Et s'il pleut ?"],
    "other": ["hello", "hola", "who is this?", "bonjour"],
}  # fmt: skip
FAQ = [
    ("How much space do you need for the grill?", "A flat outdoor area about 8 by 10 feet."),
    ("Do you cook if it rains?", "Under a covered patio or tent, never indoors."),
    ("Do you bring plates?", "We bring the grill and the food; plates and chopsticks are on you."),
    ("Is gratuity included?", "Gratuity is appreciated but never required."),
    ("Can I pay the balance by card?", "Yes, by card or cash on the event day."),
    ("Do you have gluten-free options?", "Yes: ask for tamari instead of soy sauce."),
]


def _day(rng: random.Random) -> str:
    day = date.today() + timedelta(days=rng.randint(3, 120))
    return rng.choice([day.isoformat(), f"{day:%B} {day.day}", f"{day.month}/{day.day}"])


def _messages(rng: random.Random) -> list[tuple[str, str, str, str, bool]]:
    """(intent, text, channel, language, escalate) tuples, deterministic for a seed."""
    from app.ai.language import detect_language

    result = []
    intents = list(INTENT_MESSAGES)
    for index in range(MESSAGES):
        intent = intents[index % len(intents)]
        template = rng.choice(INTENT_MESSAGES[intent])
        n = rng.randint(4, 40)
        text = template.format(
            n=n, a=max(n - 4, 1), k=rng.randint(0, 4), zip=rng.choice(["30313", "30601"]), day=_day(rng)
        )
        language = detect_language(text)
        channel = rng.choice(["sms", "instagram", "email", "webchat"])
        result.append((intent, text, channel, language, intent == "complaint"))
    return result


def _seed(rng: random.Random) -> int:
    from app.ai.draft_scoring import add_chefs_every_slot, knowledge_rows
    from app.extensions import db
    from app.inbox.inbound import Inbound, receive
    from app.models.conversation import Draft, KnowledgeEntry
    from app.models.station import Station

    station = Station(slug="drafts", name="Drafts Bench", zip_code="30313", phone="+14045550100")
    db.session.add(station)
    db.session.flush()
    add_chefs_every_slot(station, ("Kenji", "Hana", "Sora"))
    for copy in range(4):  # 24 entries: the knowledge base a station keeps after a few months
        for question, answer in FAQ:
            db.session.add(KnowledgeEntry(station_id=station.id, question=f"{question} ({copy})", answer=answer))
    for row in knowledge_rows():  # and the demo's answers in English, Spanish and French
        db.session.add(KnowledgeEntry(station_id=station.id, **row))
    for index in range(120):
        intent = list(INTENT_MESSAGES)[index % len(INTENT_MESSAGES)]
        text = rng.choice(INTENT_MESSAGES[intent]).format(n=12, a=10, k=2, zip="30313", day="March 14")
        message, _ = receive(station, Inbound("sms", f"+1555000{index:04d}", text, provider_id=f"bench-{index}"))
        reply = "Thanks! A member of our team will confirm the details shortly."
        db.session.add(
            Draft(
                station_id=station.id,
                conversation_id=message.conversation_id,
                message_id=message.id,
                status="sent",
                source="staff",
                intent=intent,
                body=reply,
                sent_body=reply,
            )
        )
    db.session.commit()
    return station.id


def _run(database_url: str) -> int:
    from flask_migrate import upgrade

    from app import create_app
    from app.ai.drafting import DraftRequest, compose
    from app.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, OPENAI_API_KEY=None)
    rng = random.Random(SEED)
    with app.app_context():
        upgrade()
        station_id = _seed(rng)
        messages = _messages(rng)
        # Warm up: imports, the ZIP centroid table, babel's locale data.
        compose(DraftRequest(station_id, 0, "sms", "warm up 12 people in 30601", intent="quote_request"))
        timings: dict[str, list[float]] = {}
        for intent, text, channel, language, escalate in messages:
            request = DraftRequest(
                station_id, 0, channel, text, intent=intent, language=language, escalate=escalate, customer_name="Ana"
            )
            started = time.perf_counter()
            compose(request)
            timings.setdefault(intent, []).append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        job_timings = _time_jobs(station_id, messages)
        db.session.remove()
        db.engine.dispose()  # the database is dropped next
    everything = [ms for values in timings.values() for ms in values]
    rows = [
        (intent, len(values), f"{percentile(values, 50):.1f}", f"{percentile(values, 95):.1f}")
        for intent, values in sorted(timings.items())
    ]
    rows.append(("all", len(everything), f"{percentile(everything, 50):.1f}", f"{percentile(everything, 95):.1f}"))
    print(f"Offline compose, {len(everything)} messages, {machine_summary()}, {database_url.split(':')[0]}")
    print(table(["intent", "messages", "p50 ms", "p95 ms"], rows))
    print()
    print(f"Whole job conversations.process_inbound (classify + draft + commits), {len(job_timings)} messages")
    print(
        table(
            ["step", "messages", "p50 ms", "p95 ms"],
            [("job", len(job_timings), f"{percentile(job_timings, 50):.1f}", f"{percentile(job_timings, 95):.1f}")],
        )
    )
    return 0


def _time_jobs(station_id: int, messages) -> list[float]:
    """Milliseconds per `process_inbound` run, each on a freshly received message."""
    from app.extensions import db
    from app.inbox.inbound import Inbound, receive
    from app.inbox.jobs import process_inbound
    from app.models.station import Station

    station = db.session.get(Station, station_id)
    warm, _ = receive(station, Inbound("sms", "+15550009999", "warm up: price for 12?", provider_id="job-warm"))
    db.session.commit()
    process_inbound(warm.id)  # trains (or loads) the offline classifier once
    timings = []
    for index, (_, text, channel, _, _) in enumerate(messages):
        contact = f"job-{index}@example.com" if channel == "email" else f"job-contact-{index}"
        message, _ = receive(station, Inbound(channel, contact, text, provider_id=f"job-{index}"))
        db.session.commit()
        started = time.perf_counter()
        outcome = process_inbound(message.id)
        timings.append((time.perf_counter() - started) * 1000)
        if outcome != "ready":
            raise SystemExit(f"message {index}: the job ended {outcome!r}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="use a throwaway SQLite file instead of PostgreSQL")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            return _run(f"sqlite:///{folder}/drafts.db")
    _admin(DATABASE_URL, "DROP DATABASE IF EXISTS", "CREATE DATABASE")
    try:
        return _run(DATABASE_URL)
    finally:
        _admin(DATABASE_URL, "DROP DATABASE IF EXISTS")


def _admin(url: str, *statements: str) -> None:
    """Run `<statement> "<database of url>"` from the server's postgres database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(f'{statement} "{target.database}"'))
    engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
