"""`flask ai draft`: a JSONL file of customer messages in, one offline draft per line out.

Input line:  {"id", "channel": "sms"|"email"|"instagram"|"web", "text", "received_at": ISO-8601 with offset,
              optional "from": the sender's phone, email or channel id (finds their bookings)}
Output line: {"id", "reply", "language", "escalate", "facts": {"adults", "children", "event_date",
              "start_time", "zip"}, "quote": {"total_cents"} | null, and what explains them: "intent",
              "emotion", "escalation_reasons", "flags", "questions", "held"}

Each message goes the inbox's way: the classifier labels it, then `app.ai.drafting.compose`
(offline) writes the draft, relative dates counting from `received_at`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.ai.drafting import DraftRequest, DraftResult, compose
from app.ai.evaluate import json_objects
from app.ai.labels import Classification

_CHANNELS = {
    "sms": "sms",
    "email": "email",
    "instagram": "instagram",
    "web": "webchat",
    "webchat": "webchat",
    "chat": "webchat",
}


@dataclass(frozen=True)
class DraftLine:
    number: int
    id: str | int
    channel: str  # the inbox's name: sms | email | instagram | webchat
    text: str
    received_at: datetime
    contact: str = ""
    row: dict | None = None  # the whole input line (the scorer reads its gold labels)


def parse(lines: Iterable[str]) -> tuple[list[DraftLine], list[str]]:
    """The valid lines and, for the others, what is wrong with them (in words, with the line number)."""
    parsed, problems = [], []
    for number, row, wrong in json_objects(lines):
        problem = wrong or _problem(row)
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        received = datetime.fromisoformat(row["received_at"])
        contact = row.get("from") if isinstance(row.get("from"), str) else ""
        parsed.append(DraftLine(number, row["id"], _CHANNELS[row["channel"]], row["text"], received, contact, row))
    return parsed, problems


def _problem(row: dict) -> str | None:
    if isinstance(row.get("id"), bool) or not isinstance(row.get("id"), str | int):
        return '"id" must be a string or an integer'
    if row.get("channel") not in _CHANNELS:
        return '"channel" must be one of sms, email, instagram, web'
    if not isinstance(row.get("text"), str) or not row["text"].strip():
        return '"text" must be a non-empty string'
    if len(row["text"]) > 20_000:
        return '"text" is too long (at most 20,000 characters)'
    try:
        received = datetime.fromisoformat(str(row.get("received_at")))
    except ValueError:
        return '"received_at" must be an ISO-8601 time with its offset, e.g. 2027-03-02T09:40:00-05:00'
    if received.tzinfo is None:
        return '"received_at" needs its UTC offset, e.g. 2027-03-02T09:40:00-05:00'
    return None


def request_for(
    station_id: int, line: DraftLine, labels: Classification, customer_id: int | None = None
) -> DraftRequest:
    return DraftRequest(
        station_id=station_id,
        conversation_id=0,
        channel=line.channel,
        inbound_text=line.text,
        intent=labels.intent,
        emotion=labels.emotion,
        language=labels.language,
        escalate=labels.escalate,
        received_at=line.received_at,
        customer_id=customer_id,
        contact=line.contact,
    )


def draft(
    station_id: int, line: DraftLine, classifier: Any, customer_id: int | None = None
) -> tuple[dict, DraftResult]:
    """Classify and draft one line as the inbox would (offline): the output row and the draft."""
    labels = classifier.classify(line.text, None if line.channel == "webchat" else line.channel)
    result = compose(request_for(station_id, line, labels, customer_id), offline=True)
    return output_row(line, labels, result), result


def _language(labels: Classification) -> str:
    return labels.language if labels.language in ("en", "es", "fr") else "en"


def output_row(line: DraftLine, labels: Classification, result: DraftResult) -> dict:
    grounding = result.grounding
    facts = grounding.get("facts") or {}
    quote = grounding.get("quote") or {}
    total = quote.get("total_cents")
    stated = total is not None and (quote.get("display") or {}).get("total", "\0") in result.body
    return {
        "id": line.id,
        "reply": result.body,
        "language": _language(labels),
        "escalate": labels.escalate,
        "facts": {
            "adults": facts.get("adults"),
            "children": facts.get("children"),
            "event_date": facts.get("event_date"),
            "start_time": facts.get("time_of_day"),
            "zip": facts.get("zip_code"),
        },
        "quote": {"total_cents": total} if stated else None,
        "intent": labels.intent,
        "emotion": labels.emotion,
        "escalation_reasons": list(labels.escalation_reasons),
        "flags": list(getattr(labels, "flags", []) or []),
        "questions": grounding.get("questions") or [],
        "held": grounding.get("held") or [],
    }
