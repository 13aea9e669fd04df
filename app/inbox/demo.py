# ruff: noqa: E501 - demo texts read better unwrapped
"""Demo conversations for `make run`: every channel, labelled and drafted by the real pipeline.

Each message goes through `receive()` and the same classify-and-draft job the worker
runs (offline classifier and templates: no network). Some drafts are then approved by
the manager, unchanged or edited, so the inbox, the thread and the Learning page show
real figures; others stay waiting for a decision.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.demo import DEMO_SEEDERS
from app.extensions import db
from app.inbox import drafts, sending
from app.inbox.inbound import Inbound, receive
from app.inbox.jobs import process_inbound
from app.models.conversation import CannedReply, Conversation, Draft, KnowledgeEntry
from app.models.station import Station
from app.models.user import Role, User
from app.tenancy import members

# The demo knowledge base, in English, Spanish and French (the evaluation's scratch station uses it too).
KNOWLEDGE_PATH = Path(__file__).resolve().parents[2] / "data" / "ai" / "knowledge.json"

CANNED = [
    (
        "Thanks, we'll check",
        "Hi {first_name}, thanks for reaching out to {station_name}! Let me check the calendar and get right back to you.",
    ),
    (
        "Deposit reminder",
        "Hi {first_name}, just a reminder: the {deposit} deposit holds your date. Call or text {station_phone} with any question.",
    ),
    (
        "Pricing",
        "Hi {first_name}! It's {adult_price} per adult and {child_price} per child, with a {party_minimum} party minimum. Travel may apply.",
    ),
]

# (channel, contact, name, minutes ago, text, what the manager does: unchanged | edited | reject | leave)
CONVERSATIONS = [
    (
        "sms",
        "+14045550111",
        "Jessica Park",
        12,
        "Hi! How much for 15 adults and 3 kids on a Saturday? We're in 30305",
        "edited",
    ),
    ("sms", "+14045550112", "Marco Diaz", 95, "Do you have anything open next Saturday evening?", "leave"),
    (
        "email",
        "tyler.brooks@example.com",
        "Tyler Brooks",
        300,
        "Hello, we'd like to book a hibachi party for my dad's 60th birthday, about 20 people. What do we need to do?",
        "unchanged",
    ),
    (
        "instagram",
        "17841400000000001",
        "mia.eats",
        40,
        "omg your videos!! is there a minimum for a small party?",
        "unchanged",
    ),
    ("webchat", "demo-chat-token-0001", "", 8, "Can the chef make a vegetarian and gluten free plate?", "leave"),
    (
        "sms",
        "+14045550113",
        "Laura Chen",
        600,
        "The chef showed up an hour late and my guests got food poisoning. I want a refund or I will dispute the charge.",
        "leave",
    ),
    (
        "email",
        "ana.gomez@example.com",
        "Ana Gómez",
        180,
        "Hola, ¿cuánto cuesta una fiesta para 12 personas el 14 de marzo?",
        "edited",
    ),
    (
        "sms",
        "+14045550114",
        "Kevin Wu",
        1500,
        "Need to move our party from the 12th to the 19th, is that ok?",
        "unchanged",
    ),
    (
        "webchat",
        "demo-chat-token-0002",
        "Priya",
        2000,
        "Thanks so much, the chef was amazing and the kids loved the onion volcano!",
        "unchanged",
    ),
    (
        "email",
        "billing@acme.example",
        "Acme Events",
        2500,
        "Can you send an invoice for the balance? We pay by card.",
        "edited",
    ),
    ("instagram", "17841400000000002", "grillmaster_jay", 3000, "how do I pay the deposit?", "reject"),
    ("sms", "+14045550115", "Dana Lee", 4000, "What time does the chef arrive before the party?", "unchanged"),
]
OTHER_STATION_CONVERSATIONS = [
    ("sms", "+12145550111", "Carlos Ruiz", 30, "Price for 25 people in Plano next month?", "edited"),
    ("webchat", "demo-chat-token-1001", "Beth", 200, "Do you cook indoors if it rains?", "unchanged"),
]
ADDED = {
    "en": ["Thanks for thinking of us!", "I'll call you this afternoon to go over the details."],
    "es": ["¡Gracias por pensar en nosotros!", "Le llamo esta tarde para repasar los detalles."],
}


def _edit(text: str, language: str, rng: random.Random) -> str:
    """What a manager typically changes: a sentence added, before the signature of an email."""
    sentence = rng.choice(ADDED.get(language, ADDED["en"]))
    paragraphs = text.split("\n\n")
    if len(paragraphs) > 2:  # email: greeting, body..., signature
        return "\n\n".join([*paragraphs[:-1], sentence, paragraphs[-1]])
    return f"{text} {sentence}"


def _library(station: Station) -> None:
    for row in json.loads(KNOWLEDGE_PATH.read_text(encoding="utf-8")):
        db.session.add(KnowledgeEntry(station_id=station.id, **row))
    for title, body in CANNED:
        db.session.add(CannedReply(station_id=station.id, title=title, body=body))


def _conversation(station: Station, manager: User | None, row: tuple, rng: random.Random, n: int) -> None:
    channel, contact, name, minutes_ago, text, outcome = row
    received = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    message, _ = receive(
        station,
        Inbound(
            channel,
            contact,
            text,
            provider_id=f"demo-{station.slug}-{n}",
            contact_name=name,
            subject="Hibachi party" if channel == "email" else "",
            email=contact if channel == "email" else None,
            phone=contact if channel == "sms" else None,
            received_at=received,
        ),
    )
    db.session.commit()
    process_inbound(message.id)  # classify and draft, as the worker would
    draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
    if manager is None or draft is None or draft.status != "ready" or outcome == "leave":
        return
    if outcome == "reject":
        drafts.reject(draft, manager, "Sent the payment link by hand")
    else:
        final = draft.body if outcome == "unchanged" else _edit(draft.body, draft.language or "en", rng)
        decided = received + timedelta(minutes=rng.randint(3, 40))
        reply = drafts.approve_and_send(draft, manager, final, now=decided)
        db.session.commit()
        sending.send_message(reply.id)  # no provider configured: recorded, no network
    db.session.commit()


def seed_conversations(stations: dict[str, Station], users: dict[str, User]) -> None:
    for slug, rows in (("atlanta", CONVERSATIONS), ("dallas", OTHER_STATION_CONVERSATIONS)):
        station = stations.get(slug)
        if station is None:
            continue
        if db.session.scalar(
            select(func.count()).select_from(Conversation).where(Conversation.station_id == station.id)
        ):
            continue  # already seeded
        _library(station)
        station.sms_number = station.sms_number or station.phone
        station.inbox_email = station.inbox_email or station.email
        db.session.commit()
        rng = random.Random(f"conversations-{slug}")
        manager = next(iter(members(station.id, Role.MANAGER)), None)
        for n, row in enumerate(rows):
            _conversation(station, manager, row, rng, n)


seed_conversations.demo_order = 60  # drafts quote the calendar: after chefs and bookings
DEMO_SEEDERS.append(seed_conversations)
