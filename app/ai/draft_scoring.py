"""The draft scorer: `flask ai eval --drafts` runs `flask ai draft`'s code on a labelled set and scores it.

Each line of the set (tests/ai/eval/*.jsonl, format in tests/ai/eval/README.md) carries
the gold labels, the facts the message states, the party a quote must price and the
questions the reply must answer. The drafts are written for a scratch station (default
settings, ZIP 30313, America/New_York, chefs on every slot, the knowledge base of
data/ai/knowledge.json, and the lines' own bookings) inside a transaction that is rolled
back: nothing stays in the database.

The checks here are written apart from the drafter's: the amounts are recomputed with
the pricing engine from the gold party, answers are looked for in the reply's words,
and commitments are found by this module's own patterns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask import current_app

from app.ai.draft_lines import DraftLine, draft
from app.ai.understanding.places import town
from app.availability.services import slot_start_utc
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.chef import AvailabilityWindow, Chef
from app.models.conversation import KnowledgeEntry
from app.models.customer import Customer
from app.models.station import Station
from app.pricing import format_money, quote_for_station

KNOWLEDGE_PATH = Path(__file__).resolve().parents[2] / "data" / "ai" / "knowledge.json"
LIMITS = {"sms": 320, "instagram": 400, "webchat": 500, "email": 2000}
FIELDS = ("adults", "children", "event_date", "start_time", "zip")

# Promises a draft must never make (this scorer's own list, apart from the guard's).
_COMMITMENT = re.compile(
    r"call you|give you a call|te llamo|le llamo|vous appeler|vous rappeler|je vous appelle"
    r"|this afternoon|later today|tonight|within the hour|esta tarde|cet apres-midi|aujourd'?hui"
    r"|full refund|refund in full|you will get (?:your|the) (?:deposit|money) back|we will refund|we'll refund"
    r"|reembolso completo|le devolvemos|remboursement integral|nous vous rembourserons"
    r"|discount|descuento|remise|% off|100 ?%|on the house|complimentary|gratis\b(?! travel)|offert"
    r"|(?<!cannot )(?<!can.t )guarantee|garantizamos|nous garantissons"
    r"|you'?re (?:all )?(?:booked|confirmed)|is confirmed|esta confirmada|est confirmee",
    re.IGNORECASE,
)
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d\d)?)")


def knowledge_rows() -> list[dict]:
    return json.loads(KNOWLEDGE_PATH.read_text(encoding="utf-8"))


def add_chefs_every_slot(station: Station, names: tuple[str, ...]) -> None:
    """Chefs who work every day from 11:00 to midnight: every slot has one place per chef."""
    for name in names:
        chef = Chef(station_id=station.id, name=name, is_active=True)
        db.session.add(chef)
        db.session.flush()
        for weekday in range(7):
            db.session.add(
                AvailabilityWindow(
                    station_id=station.id, chef_id=chef.id, weekday=weekday, starts=time(11), ends=time(23, 59)
                )
            )


@contextmanager
def scratch_station() -> Iterator[Station]:
    """A station for the evaluation, gone afterwards (everything is rolled back)."""
    try:
        station = Station(
            slug=f"ai-eval-{datetime.now().strftime('%H%M%S%f')}", name="Eval", zip_code="30313",
            phone="+14045550100", timezone="America/New_York",
        )  # fmt: skip
        db.session.add(station)
        db.session.flush()
        add_chefs_every_slot(station, ("Kenji", "Hana", "Sora"))
        for row in knowledge_rows():
            db.session.add(KnowledgeEntry(station_id=station.id, **row))
        db.session.flush()
        yield station
    finally:
        db.session.rollback()


def add_booking(station: Station, contact: str, spec: dict) -> int:
    """The line's existing booking, for the customer the contact names; returns the customer id."""
    email = contact if "@" in contact else None
    phone = contact if contact.startswith("+") else None
    customer = Customer(station_id=station.id, name="Eval Customer", email=email, phone=phone, notes="")
    db.session.add(customer)
    db.session.flush()
    priced = quote_for_station(station, {"adults": spec["adults"], "children": spec.get("children", 0)},
                               to_zip=spec.get("zip"), config=current_app.config)  # fmt: skip
    day = date.fromisoformat(spec["date"])
    db.session.add(
        Booking(
            station_id=station.id, customer_id=customer.id, status=BookingStatus.CONFIRMED.value, source="staff",
            event_date=day, slot_time=spec["time"],
            starts_at=slot_start_utc(station.timezone, day, spec["time"]),
            address="1 Eval Way", zip_code=spec.get("zip") or "30313", adults=spec["adults"],
            children=spec.get("children", 0), toddlers=0, quote=priced.as_dict(), total_cents=priced.total_cents,
            deposit_cents=priced.deposit_cents, paid_cents=priced.deposit_cents, currency="USD",
        )
    )  # fmt: skip
    db.session.flush()
    return customer.id


def _engine_total(station: Station, gold: dict) -> int | None:
    """The pricing engine's total for the gold party (travel to the gold ZIP, or the gold town's first ZIP)."""
    to_zip = gold.get("zip")
    if not to_zip and gold.get("place"):  # the gold names the town; its first ZIP, as the drafter does
        found = town(f"to {gold['place'].lower()}", station.zip_code)
        to_zip = found[1] if found else None
    fields = {"adults": gold["adults"], "children": gold.get("children", 0), "upgrades": gold.get("upgrades", {})}
    try:
        return quote_for_station(station, fields, to_zip=to_zip, config=current_app.config).total_cents
    except Exception:  # noqa: BLE001 - outside the area: no total to compare
        return None


def _travel(station: Station, place: str | None, to_zip: str | None) -> int | None:
    """The engine's travel fee to a ZIP or a town (None outside the area or unknown)."""
    if not to_zip and place:
        found = town(f"to {place.lower()}", station.zip_code)
        to_zip = found[1] if found else None
    if not to_zip:
        return None
    try:
        return quote_for_station(station, {"adults": 1}, to_zip=to_zip, config=current_app.config).travel_cents
    except Exception:  # noqa: BLE001 - outside the area
        return None


def _allowed_money(station: Station, row: dict, gold_total: int | None) -> set[str]:
    """Every amount a reply to this line may state, recomputed here from settings and the engine."""
    s = station.settings
    cents = {s.adult_price_cents, s.child_price_cents, s.party_minimum_cents, s.deposit_cents, s.travel_per_mile_cents}
    cents |= {item.price_cents for item in [*s.upgrades, *s.add_ons]}
    facts, quote = row.get("facts") or {}, row.get("quote") or {}
    if gold_total is not None:
        cents.add(gold_total)
    for key, count in (quote.get("upgrades") or {}).items():
        item = s.upgrade(key)
        cents.add(item.price_cents * count if item else 0)
    if facts.get("adults"):
        party = {"adults": facts["adults"], "children": facts.get("children") or 0, "zip": facts.get("zip"),
                 "place": row.get("place")}  # fmt: skip
        cents.add(_engine_total(station, party) or 0)
    travel = _travel(station, row.get("place") or quote.get("place"), facts.get("zip") or quote.get("zip"))
    if travel is not None:
        cents.add(travel)
    if row.get("booking"):
        spec = row["booking"]
        old = _engine_total(station, {"adults": spec["adults"], "children": spec.get("children", 0)})
        cents.add(old or 0)
        if gold_total is not None and old is not None:
            cents.add(abs(gold_total - old))
    return {format_money(value, s.currency, s.locale).lstrip("$") for value in cents}


def answered(topic: str, reply: str, station: Station) -> bool:
    """Whether the reply's words answer the topic (a "manager will confirm" is no answer)."""
    s, text = station.settings, reply.lower()
    money = lambda cents: format_money(cents, s.currency, s.locale).lower()  # noqa: E731
    kind, _, key = topic.partition(":")
    if kind in ("upgrade", "add_on"):
        item = s.upgrade(key) if kind == "upgrade" else s.add_on(key)
        return item is not None and money(item.price_cents) in text
    evidence = {
        "price_adult": money(s.adult_price_cents) in text,
        "price_child": money(s.child_price_cents) in text,
        "minimum": money(s.party_minimum_cents) in text,
        "deposit": money(s.deposit_cents) in text,
        "refund": re.search(rf"{s.refund_cutoff_days} (?:days|días|jours)", text) is not None,
        "gratuity": re.search(r"gratuity|tip|propina|pourboire", text) is not None,
        "payment_methods": sum(
            w in text for w in ("venmo", "zelle", "cash", "efectivo", "espèces", "check", "cheque", "chèque")
        )
        >= 2,
        "travel": re.search(r"\bmiles?\b|\bmillas?\b", text) is not None,
        "slots": len(re.findall(r"\b(?:12|3|6|9):00|\b(?:12|15|18|21):00", text)) >= 1,
        "setup": re.search(r"10 by 10|3 por 3|3 mètres|outdoors|aire libre|extérieur|tables|mesas", text) is not None,
        "rain": re.search(r"rain|llueve|pleut|covered|techo|abri", text) is not None,
        "allergies": re.search(r"allerg|alerg", text) is not None and "manager will confirm" not in text,
        "dietary": re.search(r"tofu|vegetable|verdura|légume", text) is not None,
        "duration": re.search(r"hours|horas|heures", text) is not None,
        "reschedule_policy": re.search(rf"{s.reschedule_notice_hours} (?:hours|horas|heures)", text) is not None,
        "guest_count_deadline": re.search(rf"{s.guest_count_final_hours} (?:hours|horas|heures)", text) is not None,
    }
    return bool(evidence.get(topic))


def score_line(station: Station, row: dict, out: dict) -> dict:
    """The checks of one draft against its gold line."""
    gold_facts, reply = row["facts"], out["reply"]
    facts_right = {name: out["facts"][name] == gold_facts[name] for name in FIELDS}
    gold_total = _engine_total(station, row["quote"]) if row.get("quote") else None
    quoted = (out.get("quote") or {}).get("total_cents")
    allowed = _allowed_money(station, row, gold_total)
    stray = [amount for amount in _MONEY.findall(reply) if amount not in allowed]
    topics = {topic: answered(topic, reply, station) for topic in row.get("answers", [])}
    commitments = _COMMITMENT.findall(reply)
    price_ok = (gold_total is None or quoted == gold_total) and not stray
    checks = {
        "language": out["language"] == row["language"],
        "escalation": out["escalate"] == row["escalate"],
        "facts": all(facts_right.values()),
        "price": price_ok,
        "answers": all(topics.values()),
        "no_commitment": not commitments,
        "not_held": not out["held"],
        "fits": len(reply) <= LIMITS[_channel(row["channel"])] and "{" not in reply and "None" not in reply,
    }
    return {
        "id": row["id"],
        "intent_right": out["intent"] == row["intent"],
        "emotion_right": out["emotion"] == row["emotion"],
        "facts_right": facts_right,
        "quote_expected": gold_total,
        "quote_given": quoted,
        "stray_amounts": stray,
        "answers": topics,
        "commitments": commitments,
        "checks": checks,
        "auto_sendable": all(checks.values()),
    }


def _channel(channel: str) -> str:
    return {"web": "webchat", "chat": "webchat"}.get(channel, channel)


def run(lines: list[DraftLine], classifier: Any) -> tuple[list[dict], list[dict]]:
    """(output rows, score rows) for labelled lines, on a scratch station."""
    outputs, scores = [], []
    with scratch_station() as station:
        customers = {}
        for line in lines:
            row = line.row or {}
            if row.get("booking"):
                customers[line.id] = add_booking(station, line.contact, row["booking"])
        for line in lines:
            out, _ = draft(station.id, line, classifier, customers.get(line.id))
            outputs.append(out)
            scores.append(score_line(station, line.row or {}, out))
    return outputs, scores


def summary(rows: list[dict], outputs: list[dict], scores: list[dict]) -> dict:
    """The figures of the closing note: accuracy, escalation, facts, prices, answers, commitments, sendable."""
    n = len(scores)
    pairs = [(row["escalate"], out["escalate"]) for row, out in zip(rows, outputs, strict=True)]
    tp = sum(gold and said for gold, said in pairs)
    fp = sum(said and not gold for gold, said in pairs)
    fn = sum(gold and not said for gold, said in pairs)
    fields = [right for score in scores for right in score["facts_right"].values()]
    priced = [score for score in scores if score["quote_expected"] is not None]
    topics = [ok for score in scores for ok in score["answers"].values()]

    def ratio(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    return {
        "messages": n,
        "intent_accuracy": ratio(sum(s["intent_right"] for s in scores), n),
        "emotion_accuracy": ratio(sum(s["emotion_right"] for s in scores), n),
        "language_accuracy": ratio(sum(s["checks"]["language"] for s in scores), n),
        "escalation_precision": ratio(tp, tp + fp),
        "escalation_recall": ratio(tp, tp + fn),
        "facts_accuracy": ratio(sum(fields), len(fields)),
        "messages_with_all_facts_right": ratio(sum(s["checks"]["facts"] for s in scores), n),
        "price_equal": ratio(sum(s["quote_given"] == s["quote_expected"] for s in priced), len(priced)),
        "quotes_expected": len(priced),
        "amounts_not_from_engine_or_settings": sum(len(s["stray_amounts"]) for s in scores),
        "questions_answered": ratio(sum(topics), len(topics)),
        "questions": len(topics),
        "invented_commitments": sum(len(s["commitments"]) for s in scores),
        "held_by_guard": sum(not s["checks"]["not_held"] for s in scores),
        "auto_sendable": ratio(sum(s["auto_sendable"] for s in scores), n),
    }


def format_summary(figures: dict) -> str:
    return "\n".join(f"{name:<38} {value}" for name, value in figures.items())
