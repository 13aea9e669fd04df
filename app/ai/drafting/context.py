"""The first two stages of a draft: understand the message, then ground the reply in the station's data.

`gather()` returns a `DraftContext`: what the customer said (facts, questions, a change
to a booking) and what the reply may state about it (the pricing engine's quote, open
slots, answers from settings and the knowledge base, the customer's own bookings).
Both composers start from it; nothing later invents a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.ai.drafting import DraftRequest, DraftUnavailable
from app.ai.drafting import bookings as customer_bookings
from app.ai.drafting.answers import Answer, answer_all
from app.ai.drafting.examples import Example, closest_examples
from app.ai.drafting.grounding import Grounder, StationInfo
from app.ai.drafting.knowledge import KnowledgeHit, active_entries, rank
from app.ai.understanding import dates
from app.ai.understanding.facts import Facts, Understanding, merge, read_facts, understand
from app.ai.understanding.text import prepare
from app.models.base import utcnow
from app.models.conversation import KnowledgeEntry

LANGUAGES = ("en", "es", "fr")
CHANNELS = ("sms", "instagram", "email", "webchat")
# Intents whose reply is about one party: worth pricing it and checking its date.
PARTY_INTENTS = frozenset({"booking_request", "quote_request", "availability", "reschedule", "other", None})
# Intents that may be about a booking the customer already has.
BOOKING_INTENTS = frozenset({"booking_request", "reschedule", "cancellation", "payment", "availability"})
_EVERYONE = re.compile(
    r"\b(?:everyone|everybody|for\s+all|each\s+guest|para\s+todos|a\s+todos|pour\s+tous|tout\s+le\s+monde)\b"
)


def reply_language(language: str | None) -> str:
    """The customer's language when we write it, else English."""
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else "en"


def is_escalated(request: DraftRequest) -> bool:
    """Angry, hurt or threatening customers get an apology and a manager, never a sales pitch."""
    return bool(request.escalate) or request.emotion == "angry"


@dataclass
class DraftContext:
    request: DraftRequest
    station: StationInfo
    grounder: Grounder
    understanding: Understanding
    facts: Facts
    policies: dict[str, Any]
    quote: dict[str, Any] | None = None
    availability: dict[str, Any] | None = None
    answers: list[Answer] = field(default_factory=list)
    bookings: list[customer_bookings.BookingInfo] = field(default_factory=list)
    change: dict[str, Any] | None = None  # a change to one of `bookings`, priced and checked
    knowledge: list[KnowledgeHit] = field(default_factory=list)
    entries: list[KnowledgeEntry] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.grounder.language

    @property
    def channel(self) -> str:
        channel = "webchat" if self.request.channel in ("web", "chat") else self.request.channel
        return channel if channel in CHANNELS else "webchat"

    @property
    def escalated(self) -> bool:
        return is_escalated(self.request)

    @property
    def intent(self) -> str:
        return self.request.intent or "other"

    def answer(self, topic: str) -> Answer | None:
        return next((answer for answer in self.answers if answer.topic == topic), None)

    def grounding(self) -> dict[str, Any]:
        """JSON-safe record of what the draft may state and where it came from."""
        return {
            "facts": self.facts.as_dict(),
            "questions": list(self.understanding.questions),
            "change_request": self.understanding.change.as_dict() if self.understanding.change else None,
            "station": {"name": self.station.name, "phone": self.station.phone},
            "policies": self.policies,
            "quote": self.quote,
            "availability": self.availability,
            "answers": [answer.as_dict() for answer in self.answers],
            "bookings": [booking.as_dict() for booking in self.bookings],
            "change": self.change,
            "knowledge": [hit.id for hit in self.knowledge],
            "knowledge_text": [hit.answer for hit in self.knowledge],
            "knowledge_scores": [round(hit.score, 3) for hit in self.knowledge],
            "examples": [example.draft_id for example in self.examples],
            "example_scores": [round(example.similarity, 3) for example in self.examples],
            "tools": list(self.grounder.calls),
        }


def _aware(moment: datetime) -> datetime:
    """Stored times are UTC; a naive one (SQLite, hand-built requests) is read as UTC too."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _menu(station: StationInfo) -> dict[str, list[tuple[str, str]]]:
    settings = station.settings
    return {
        "upgrades": [(item.key, item.label) for item in settings.upgrades],
        "add_ons": [(item.key, item.label) for item in settings.add_ons],
    }


def read_thread_facts(request: DraftRequest, station: StationInfo, newest: Facts, language: str) -> Facts:
    """The newest message's facts, gaps filled from the customer's earlier messages in the thread.

    Each earlier message is read against its own local date ("tomorrow" said last week
    is not tomorrow); our own replies are skipped, their numbers are ours, not the customer's.
    """
    earlier = [
        read_facts(prepare(line.body, language), station.local_today(_aware(line.at)), language)
        for line in reversed(request.thread)
        if line.direction == "in" and line.body != request.inbound_text
    ]
    return merge(newest, earlier)


def gather(request: DraftRequest, *, now: datetime | None = None, with_party: bool = True) -> DraftContext:
    """Understand and ground; `with_party=False` leaves pricing and dates to the model's tools."""
    received = _aware(request.received_at) if request.received_at else (now or utcnow())
    station = StationInfo.load(request.station_id)
    if station is None:
        raise DraftUnavailable(f"Station {request.station_id} does not exist.")
    language = reply_language(request.language)
    today = station.local_today(received)
    # 1. Understand: facts, questions and any change to a booking, in the customer's words.
    understanding = understand(request.inbound_text, today, language, station_zip=station.zip_code, **_menu(station))
    facts = read_thread_facts(request, station, understanding.facts, language)
    # 2. Ground: everything the reply may state, from the station's own services.
    grounder = Grounder(station, language, received)
    entries = active_entries(station.id)
    context = DraftContext(
        request=request,
        station=station,
        grounder=grounder,
        understanding=understanding,
        facts=facts,
        policies=grounder.policies(),
        entries=entries,
        knowledge=rank(entries, request.inbound_text),
        examples=closest_examples(station.id, request.intent, request.inbound_text),
    )
    if context.escalated:
        return context  # an apology and a manager: no prices, no slots, no policies
    if understanding.change is not None or request.intent in BOOKING_INTENTS or not with_party:
        ids = customer_bookings.customer_ids(station.id, request.customer_id, request.contact)
        context.bookings = customer_bookings.upcoming(station.id, ids, today)
    if with_party:
        finish_grounding(context)
    else:
        context.answers = answer_all(implied_topics(context), grounder, entries, facts, request.inbound_text)
    return context


def finish_grounding(context: DraftContext) -> None:
    """Price the party, check its date and answer every question (after the model's tools, or instead of them)."""
    if context.escalated:
        return
    ground_party(context)
    context.answers = answer_all(
        implied_topics(context), context.grounder, context.entries, context.facts, context.request.inbound_text
    )


def implied_topics(context: DraftContext) -> tuple[str, ...]:
    """The questions asked, plus those the situation asks without words (a cancellation asks about the refund)."""
    topics = list(context.understanding.questions)
    intent, facts, change = context.intent, context.facts, context.change

    def add(topic: str) -> None:
        if topic not in topics:
            topics.append(topic)

    if intent == "cancellation":
        add("refund")
    if intent == "reschedule" or (change and change.get("move")):
        add("reschedule_policy")
    if change and change.get("guests_changed"):
        add("guest_count_deadline")
    if facts.day_part and not facts.time_of_day and not context.availability and intent in PARTY_INTENTS:
        add("slots")
    return tuple(topics)


def ground_party(context: DraftContext) -> None:
    """Price the party the customer described (or their booking as changed) and check the date they asked for."""
    if context.bookings and context.understanding.change is not None:
        ground_change(context)
        if context.change is not None:
            return
    if context.intent not in PARTY_INTENTS and not _asks_price(context):
        return
    found = context.facts
    if found.adults or found.guests:
        adults = found.adults if found.adults is not None else found.guests
        upgrades = _everyone_upgrades(context, adults + (found.children or 0))
        context.quote = context.grounder.quote_party(
            adults, found.children or 0, found.toddlers or 0, found.zip_code or _town_zip(found), upgrades
        )
    if found.event_date:
        context.availability = context.grounder.check_availability(found.event_date.isoformat(), found.time_of_day)


def _asks_price(context: DraftContext) -> bool:
    return any(topic.startswith(("upgrade:", "price_", "minimum")) for topic in context.understanding.questions)


def _town_zip(facts: Facts) -> str | None:
    return facts.town[1] if facts.town else None


def _everyone_upgrades(context: DraftContext, guests: int) -> dict[str, int]:
    """ "How much with lobster for everyone?": the upgrade priced for the whole party."""
    if not _EVERYONE.search(prepare(context.request.inbound_text, context.language)):
        return {}
    keys = [topic.partition(":")[2] for topic in context.understanding.questions if topic.startswith("upgrade:")]
    return dict.fromkeys(keys, guests)


def ground_change(context: DraftContext) -> None:
    """A change to the customer's booking: the new party priced, the new date or time checked, the policy applied."""
    change = context.understanding.change
    facts, grounder, settings = context.facts, context.grounder, context.station.settings
    mentioned = [
        m.day
        for m in dates.mentions(
            prepare(context.request.inbound_text, context.language),
            context.station.local_today(grounder.now),
            context.language,
        )
        if m.day
    ]
    booking = customer_bookings.the_one_meant(context.bookings, mentioned)
    if booking is None or change is None:
        return
    adults, children, toddlers = booking.adults, booking.children, booking.toddlers
    if change.adds_guests:
        adults, children, toddlers = (
            adults + change.add_adults,
            children + change.add_children,
            toddlers + change.add_toddlers,
        )
    elif change.new_total and (facts.adults or facts.children):
        adults = facts.adults if facts.adults is not None else adults
        children = facts.children if facts.children is not None else children
    guests_changed = (adults, children, toddlers) != (booking.adults, booking.children, booking.toddlers)
    new_date = facts.event_date if change.move and facts.event_date and facts.event_date != booking.event_date else None
    new_time = (
        facts.time_of_day if change.move and facts.time_of_day and facts.time_of_day != booking.slot_time else None
    )
    if not (guests_changed or new_date or new_time):
        return
    starts = datetime.combine(booking.event_date, datetime.strptime(booking.slot_time, "%H:%M").time())
    local_now = grounder.now.astimezone(ZoneInfo(context.station.timezone)).replace(tzinfo=None)
    hours_left = (starts - local_now).total_seconds() / 3600
    result: dict[str, Any] = {
        "booking_id": booking.id,
        "reference": booking.reference,
        "date": booking.event_date.isoformat(),
        "display_date": grounder.display_date(booking.event_date),
        "time": booking.slot_time,
        "display_time": grounder.display_time(booking.slot_time),
        "guests_changed": guests_changed,
        "move": bool(new_date or new_time),
        "hours_left": round(hours_left, 1),
    }
    if guests_changed:
        old = grounder.quote_party(
            booking.adults,
            booking.children,
            booking.toddlers,
            booking.zip_code or None,
            booking.upgrades,
            booking.add_ons,
        )
        new = grounder.quote_party(
            adults, children, toddlers, booking.zip_code or None, booking.upgrades, booking.add_ons
        )
        context.quote = new
        if "error" not in new and "error" not in old:
            result.update(
                adults=adults, children=children, toddlers=toddlers,
                difference_cents=new["total_cents"] - old["total_cents"],
                difference=grounder.money(abs(new["total_cents"] - old["total_cents"])),
                old_total_cents=old["total_cents"], old_total=old["display"]["total"],
                guest_deadline_passed=hours_left < settings.guest_count_final_hours,
            )  # fmt: skip
    if new_date or new_time:
        day = (new_date or booking.event_date).isoformat()
        context.availability = grounder.check_availability(day, new_time or booking.slot_time)
        used = booking.reschedule_count
        result.update(
            new_date=new_date.isoformat() if new_date else None,
            new_time=new_time,
            free_reschedules_left=max(settings.free_reschedules - used, 0),
            notice_ok=hours_left >= settings.reschedule_notice_hours,
        )
    context.change = result
    # The counts the customer changed, resolved against the booking ("6 more adults" on 16 is 22).
    stated_total = change.new_total and not change.adds_guests
    context.facts = replace(
        facts,
        adults=adults if change.add_adults or (stated_total and facts.adults is not None) else facts.adults,
        children=children if change.add_children or (stated_total and facts.children is not None) else facts.children,
    )
