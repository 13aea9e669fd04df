"""Lead score 0-100 with the reasons staff see, and the hot / warm / cold temperature.

A pure function of the lead's facts: no database, no clock of its own (the caller
passes `now` and the station-local `today`), so it is unit-tested with plain values.

Budget (the parts add up to 100): source 30, completeness 25, event date 20, party
size 15, response speed 10.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

HOT_FROM = 70
WARM_FROM = 40

# Intent carried by the way the lead reached us: a referral, a scanned flyer, a filled
# quote form or a failed booking attempt mean a party is being planned; a chat is a
# conversation already going; a contact form is often a general question.
SOURCE_POINTS = {
    "referral": 30,
    "qr": 30,
    "quote_request": 30,
    "slot_full": 30,
    "chat": 20,
    "webchat": 20,
    "sms": 18,
    "instagram": 15,
    "email": 15,
    "staff": 20,
    "contact_form": 10,
}
SOURCE_LABELS = {
    "referral": "Referral",
    "qr": "QR code scan",
    "quote_request": "Quote request",
    "slot_full": "Tried to book a full slot",
    "chat": "Web chat",
    "webchat": "Web chat",
    "sms": "Text message",
    "instagram": "Instagram",
    "email": "Email",
    "staff": "Entered by staff",
    "contact_form": "Contact form",
}
UNKNOWN_SOURCE_POINTS = 5
COMPLETENESS_POINTS = 5  # each of email, phone, date, guests, ZIP


@dataclass(frozen=True)
class LeadFacts:
    """What the score reads of a lead."""

    source: str
    email: str | None = None
    phone: str | None = None
    event_date: date | None = None
    guests: int | None = None
    zip_code: str | None = None
    attribution: Mapping[str, Any] = field(default_factory=dict)  # the first touch
    qr_code_id: int | None = None
    created_at: datetime | None = None
    first_response_at: datetime | None = None


@dataclass(frozen=True)
class Score:
    points: int
    reasons: list[dict[str, Any]]  # [{"label": ..., "points": ...}], shown on the lead page
    temperature: str


def source_kind(source: str, attribution: Mapping[str, Any], qr_code_id: int | None) -> str:
    """The source as scored: a QR scan or a referral outranks the form it came through."""
    if qr_code_id or attribution.get("qr_code"):
        return "qr"
    marks = {str(attribution.get(key) or "").lower() for key in ("utm_source", "utm_medium")}
    if "referral" in marks:
        return "referral"
    return source


def temperature_for(points: int) -> str:
    if points >= HOT_FROM:
        return "hot"
    if points >= WARM_FROM:
        return "warm"
    return "cold"


def _source(facts: LeadFacts) -> dict[str, Any]:
    kind = source_kind(facts.source, facts.attribution, facts.qr_code_id)
    label = SOURCE_LABELS.get(kind, kind.replace("_", " ").capitalize() or "Unknown source")
    return {"label": f"Source: {label}", "points": SOURCE_POINTS.get(kind, UNKNOWN_SOURCE_POINTS)}


def _completeness(facts: LeadFacts) -> dict[str, Any]:
    given = {
        "email": bool(facts.email),
        "phone": bool(facts.phone),
        "date": facts.event_date is not None,
        "guests": bool(facts.guests),
        "ZIP": bool(facts.zip_code),
    }
    have = [name for name, present in given.items() if present]
    missing = [name for name, present in given.items() if not present]
    label = f"Details: {len(have)} of 5" + (f" (missing {', '.join(missing)})" if missing else " (complete)")
    return {"label": label, "points": COMPLETENESS_POINTS * len(have)}


def _event_date(facts: LeadFacts, today: date) -> dict[str, Any]:
    if facts.event_date is None:
        return {"label": "No event date yet", "points": 0}
    days = (facts.event_date - today).days
    if days < 0:
        return {"label": "Event date has passed", "points": 0}
    if days <= 30:
        return {"label": f"Event in {days} days", "points": 20}
    if days <= 90:
        return {"label": f"Event in {days} days", "points": 12}
    return {"label": f"Event in {days} days", "points": 5}


def _party_size(facts: LeadFacts) -> dict[str, Any]:
    guests = facts.guests or 0
    if guests <= 0:
        return {"label": "Party size unknown", "points": 0}
    points = 15 if guests >= 30 else 12 if guests >= 15 else 8 if guests >= 10 else 4
    return {"label": f"Party of {guests}", "points": points}


def _response(facts: LeadFacts, now: datetime, sla_minutes: int) -> dict[str, Any]:
    """A lead answered quickly converts better; a missed SLA is shown so it gets fixed."""
    sla = timedelta(minutes=sla_minutes)
    if facts.created_at is None:
        return {"label": "Awaiting first response", "points": 0}
    if facts.first_response_at is not None:
        if facts.first_response_at - facts.created_at <= sla:
            return {"label": f"Answered within {sla_minutes} min", "points": 10}
        return {"label": f"Answered after the {sla_minutes} min target", "points": 3}
    if now - facts.created_at > sla:
        return {"label": f"No response within {sla_minutes} min", "points": 0}
    return {"label": "Awaiting first response", "points": 0}


def score(facts: LeadFacts, *, today: date, now: datetime, sla_minutes: int) -> Score:
    """The lead's score, its reasons (in a fixed order) and its temperature."""
    reasons = [
        _source(facts),
        _completeness(facts),
        _event_date(facts, today),
        _party_size(facts),
        _response(facts, now, sla_minutes),
    ]
    points = max(0, min(100, sum(reason["points"] for reason in reasons)))
    return Score(points, reasons, temperature_for(points))
