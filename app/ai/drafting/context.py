"""Everything a draft is grounded in, gathered once: facts, quote, availability, policies, knowledge, examples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.ai.drafting import DraftRequest, DraftUnavailable
from app.ai.drafting.examples import Example, closest_examples
from app.ai.drafting.facts import Facts, extract, merge
from app.ai.drafting.grounding import Grounder, StationInfo
from app.ai.drafting.knowledge import KnowledgeHit, search
from app.models.base import utcnow

LANGUAGES = ("en", "es")
CHANNELS = ("sms", "instagram", "email", "webchat")
# Intents whose reply is about one party: worth pricing it and checking its date.
PARTY_INTENTS = frozenset({"booking_request", "quote_request", "availability", "reschedule", "other", None})


def reply_language(language: str | None) -> str:
    """The customer's language when we write it, else English."""
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else "en"


def is_escalated(request: DraftRequest) -> bool:
    """Angry, hurt or threatening customers get an apology and a manager, never a sales pitch."""
    return bool(request.escalate) or request.intent == "complaint" or request.emotion == "angry"


@dataclass
class DraftContext:
    request: DraftRequest
    station: StationInfo
    grounder: Grounder
    facts: Facts
    policies: dict[str, Any]
    quote: dict[str, Any] | None = None
    availability: dict[str, Any] | None = None
    knowledge: list[KnowledgeHit] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.grounder.language

    @property
    def channel(self) -> str:
        return self.request.channel if self.request.channel in CHANNELS else "webchat"

    @property
    def escalated(self) -> bool:
        return is_escalated(self.request)

    def grounding(self) -> dict[str, Any]:
        """JSON-safe record of what the draft may state and where it came from."""
        return {
            "facts": self.facts.as_dict(),
            "station": {"name": self.station.name, "phone": self.station.phone},
            "policies": self.policies,
            "quote": self.quote,
            "availability": self.availability,
            "knowledge": [hit.id for hit in self.knowledge],
            "knowledge_scores": [round(hit.score, 3) for hit in self.knowledge],
            "examples": [example.draft_id for example in self.examples],
            "example_scores": [round(example.similarity, 3) for example in self.examples],
            "tools": list(self.grounder.calls),
        }


def read_facts(request: DraftRequest, station: StationInfo, now: datetime, language: str) -> Facts:
    """The inbound message's facts, gaps filled from the customer's earlier messages in the thread.

    Each earlier message is read against its own local date ("tomorrow" said last week
    is not tomorrow); our own replies are skipped, their numbers are ours, not the customer's.
    """
    newest = extract(request.inbound_text, station.local_today(now), language)
    earlier = [
        extract(line.body, station.local_today(_aware(line.at)), language)
        for line in reversed(request.thread)
        if line.direction == "in" and line.body != request.inbound_text
    ]
    return merge(newest, earlier)


def _aware(moment: datetime) -> datetime:
    """Stored times are UTC; a naive one (SQLite, hand-built requests) is read as UTC too."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def gather(request: DraftRequest, *, now: datetime | None = None, with_party: bool = True) -> DraftContext:
    """Load the station and ground the reply; `with_party=False` leaves pricing and dates to the model's tools."""
    now = now or utcnow()
    station = StationInfo.load(request.station_id)
    if station is None:
        raise DraftUnavailable(f"Station {request.station_id} does not exist.")
    language = reply_language(request.language)
    grounder = Grounder(station, language, now)
    context = DraftContext(
        request=request,
        station=station,
        grounder=grounder,
        facts=read_facts(request, station, now, language),
        policies=grounder.policies(),
        knowledge=search(station.id, request.inbound_text),
        examples=closest_examples(station.id, request.intent, request.inbound_text),
    )
    if with_party and not context.escalated and request.intent in PARTY_INTENTS:
        ground_party(context)
    return context


def ground_party(context: DraftContext) -> None:
    """Price the party the customer described and check the date they asked for."""
    found = context.facts
    if found.guests:
        adults = found.adults if found.adults is not None else found.guests
        context.quote = context.grounder.quote_party(adults, found.children or 0, found.toddlers or 0, found.zip_code)
    if found.event_date:
        context.availability = context.grounder.check_availability(found.event_date.isoformat(), found.time_of_day)
