"""The third stage: which parts the reply needs, each a sentence built from the grounding.

Order of a reply: a date that contradicts its weekday is asked about first; then the
main answer for the message (a change to the customer's booking, a quote and the open
slots, a cancellation's next step...); then the answers to every question asked; then
what is still missing; then the next step. Essential parts answer the customer or ask
for what is missing; optional ones are dropped first when an SMS runs long.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.ai.drafting.answers import Answer
from app.ai.drafting.context import DraftContext
from app.ai.drafting.knowledge import QUOTE_THRESHOLD
from app.ai.drafting.phrases import join, menu_item, payment_method, phrase, protein, weekday
from app.ai.language import detect_language
from app.ai.understanding.text import normalise

EVENING_FROM = "17:00"  # slots from this hour on are "in the evening"


@dataclass(frozen=True)
class Part:
    text: str
    essential: bool = True
    priority: int = 0  # among optional parts, higher ones claim the room first


def _say(context: DraftContext, key: str, essential: bool = True, priority: int = 0, **values: Any) -> Part:
    return Part(phrase(context.language, key, **values), essential, priority)


def _party(context: DraftContext, counts: dict[str, Any], *, split: bool) -> str:
    lang = context.language
    if not split:
        return phrase(lang, "guests", n=counts["guests"])
    adults, children, toddlers = counts["adults"], counts.get("children") or 0, counts.get("toddlers") or 0
    items = [phrase(lang, "adult") if adults == 1 else phrase(lang, "adults", n=adults)]
    if children:
        items.append(phrase(lang, "child") if children == 1 else phrase(lang, "children", n=children))
    if toddlers:
        items.append(phrase(lang, "toddlers", n=toddlers, age=context.station.settings.child_min_age))
    return join(items, lang)


# --- the party: quote, slots, what is missing ---------------------------------------------------


def quote_parts(context: DraftContext) -> list[Part]:
    """The total for the described party, how it is made, and what is missing for an exact figure."""
    quote, settings = context.quote, context.station.settings
    if quote is None:
        return []
    if quote.get("code") == "outside_service_area":
        return [_say(context, "outside_area", miles=round(quote["miles"]), radius=quote["radius_miles"])]
    if "error" in quote:
        return [_say(context, "quote_check")]
    shown = quote["display"]
    travel = ""
    if quote["zip_code"] and not quote.get("travel_note"):
        travel = (
            phrase(context.language, "quote_travel_included", travel=shown["travel"]) if quote["travel_cents"] else ""
        )
        travel = travel or phrase(context.language, "quote_travel_free")
    split = context.facts.adults_stated or bool(quote["children"] or quote["toddlers"])
    parts = [
        _say(context, "quote_total", party=_party(context, quote, split=split), total=shown["total"], travel=travel)
    ]
    if quote.get("extras"):
        items = [
            phrase(context.language, "quote_extra_item", item=line["label"].lower(), n=line["quantity"],
                   amount=context.grounder.money(line["amount_cents"]))
            for line in quote["extras"]
        ]  # fmt: skip
        parts.append(_say(context, "quote_extras", extras=join(items, context.language)))
    ages = {"child_age": settings.child_min_age, "top_age": settings.adult_min_age - 1}
    if quote["minimum_applied"]:
        parts.append(_say(context, "quote_minimum", minimum=shown["minimum"]))
    elif not split:
        parts.append(
            _say(context, "quote_head_count", False, per_adult=shown["per_adult"], per_child=shown["per_child"], **ages)
        )
    else:
        parts.append(
            _say(context, "quote_per_guest", False, per_adult=shown["per_adult"], per_child=shown["per_child"])
        )
    if not quote["zip_code"] or quote.get("travel_note"):
        parts.append(_say(context, "quote_travel_ask", False, miles=settings.travel_free_miles))
    return parts


def _evening(slots: list[str]) -> list[str]:
    return [slot for slot in slots if slot >= EVENING_FROM]


def availability_parts(context: DraftContext) -> list[Part]:
    """The open slots of the asked date (in the evening when that is what was asked), or why there are none."""
    seen, grounder = context.availability, context.grounder
    if seen is None or "error" in seen:
        return []
    day, status = seen["display_date"], seen["status"]
    if status != "open":
        values = {"date": day, "hours": context.policies["lead_time_hours"], "days": context.policies["horizon_days"]}
        return [_say(context, status, **values)]
    shown = {slot: grounder.display_time(slot) for slot in seen["open_slots"]}
    slots = join(list(shown.values()), context.language, "or")
    asked = seen.get("asked_time")
    if asked and seen.get("asked_time_open"):
        return [_say(context, "open_asked", date=day, time=grounder.display_time(asked))]
    if asked:
        key = "open_other" if asked not in context.policies["slot_times"] else "open_taken"
        return [_say(context, key, date=day, time=grounder.display_time(asked), slots=slots)]
    if context.facts.day_part == "evening":
        evening = [shown[slot] for slot in _evening(seen["open_slots"])]
        if evening:
            return [_say(context, "open_evening", date=day, slots=join(evening, context.language, "or"))]
        return [_say(context, "open_evening_none", date=day, slots=slots)]
    return [_say(context, "open", date=day, slots=slots)]


def missing_parts(context: DraftContext, *, need_guests: bool = True, need_date: bool = True) -> list[Part]:
    """Ask for the facts a quote or a booking still needs, instead of assuming them."""
    facts = context.facts
    if facts.party_range:
        return [_say(context, "ask_exact_count")] + (
            [_say(context, "ask_date")] if need_date and not facts.event_date else []
        )
    no_guests = need_guests and not (facts.guests or facts.adults)
    no_date = need_date and facts.event_date is None and facts.date_conflict is None
    if no_guests and no_date:
        return [_say(context, "ask_guests_and_date")]
    if no_guests:
        return [_say(context, "ask_guests")]
    if no_date:
        return [_say(context, "ask_date")]
    return []


def conflict_parts(context: DraftContext) -> list[Part]:
    conflict = context.facts.date_conflict
    if conflict is None:
        return []
    written, day = conflict
    lang = context.language
    shown = context.grounder.display_date(day, weekday=False)
    return [
        _say(context, "date_conflict", date=shown, actual=weekday(day.weekday(), lang), written=weekday(written, lang))
    ]


# --- answers to the questions asked ------------------------------------------------------------


def answer_part(context: DraftContext, item: Answer) -> list[Part]:
    """The sentence(s) answering one topic from its grounded values."""
    lang, v = context.language, item.values
    if not item.known:
        about = f"about_{item.topic}" if f"about_{item.topic}" in _ABOUT else "about_other"
        return [_say(context, "answer_unknown", about=phrase(lang, about))]
    kind, _, _ = item.topic.partition(":")
    if kind in ("upgrade", "add_on"):
        return [_say(context, f"answer_{kind}", item=menu_item(v["item"], lang), price=v["price"])]
    if "text" in v:
        return [Part(v["text"])]
    topic = item.topic
    if topic == "travel":
        return _travel(context, v)
    if topic == "slots":
        evening = [context.grounder.display_time(s) for s in _evening(context.policies["slot_times"])]
        if context.facts.day_part == "evening" and evening:
            return [_say(context, "answer_slots_evening", slots=join(evening, lang, "or"))]
        return [_say(context, "answer_slots", slots=join(v["slots"], lang))]
    if topic == "gratuity":
        return [_say(context, "answer_gratuity_percent" if v["percent"] else "answer_gratuity", percent=v["percent"])]
    if topic == "payment_methods":
        return [
            _say(context, "answer_payment_methods", methods=join([payment_method(m, lang) for m in v["methods"]], lang))
        ]
    if topic == "dietary":
        return [_say(context, "answer_dietary", proteins=join([protein(p, lang) for p in v["proteins"]], lang, "or"))]
    if topic == "refund":
        return [_say(context, "answer_refund", days=v["days"]), *_refund_for_booking(context, v["days"])]
    return [_say(context, f"answer_{topic}", **v)]


_ABOUT = {"about_setup", "about_rain", "about_allergies", "about_dietary", "about_duration", "about_travel"}


def _travel(context: DraftContext, v: dict[str, Any]) -> list[Part]:
    if v.get("outside"):
        return [_say(context, "answer_travel_outside", place=v["place"], miles=round(v["miles"]), radius=v["radius"])]
    if "travel_cents" in v:
        key = "answer_travel_place" if v["travel_cents"] else "answer_travel_place_free"
        return [_say(context, key, place=v["place"], miles=v["miles"], travel=v["travel"], free_miles=v["free_miles"])]
    general = {name: v[name] for name in ("free_miles", "per_mile", "radius")}
    if context.quote and context.quote.get("zip_code"):
        return [_say(context, "answer_travel", False, **general)]  # the quote already states the fee
    return [_say(context, "answer_travel", **general), _say(context, "quote_travel_ask", False, miles=v["free_miles"])]


def _refund_for_booking(context: DraftContext, days: int) -> list[Part]:
    """Where the customer's own booking stands under the refund policy."""
    if not context.bookings or context.intent != "cancellation":
        return []
    booking = context.bookings[0]
    today = context.station.local_today(context.grounder.now)
    shown = context.grounder.display_date(booking.event_date)
    in_time = (booking.event_date - today).days >= days
    return [_say(context, "answer_refund_in_time" if in_time else "answer_refund_late", date=shown, days=days)]


def answers_parts(context: DraftContext, skip: set[str] = frozenset()) -> list[Part]:
    return [part for item in context.answers if item.topic not in skip for part in answer_part(context, item)]


# --- the main part, by what the message is about ----------------------------------------------------


def _next_step(context: DraftContext) -> list[Part]:
    parts = []
    seen = context.availability or {}
    if context.intent == "booking_request" and seen.get("status") == "open" and context.quote:
        parts.append(_say(context, "book_confirm" if seen.get("asked_time_open") else "book_next"))
    if context.quote and "error" not in context.quote and context.intent in ("booking_request", "quote_request"):
        parts.append(_say(context, "deposit", False, deposit=context.policies["display"]["deposit"]))
    return parts


def _party_reply(context: DraftContext) -> list[Part]:
    need_guests = context.intent in ("booking_request", "quote_request") or bool(context.facts.party_range)
    if context.quote is None and context.availability is None and context.answers:
        # "How much is the lobster upgrade?": answered; a full quote is offered, not demanded.
        return answers_parts(context) + [_say(context, "quote_offer", False)] * (context.intent == "quote_request")
    # A day we cannot do comes first: the price of a party on it matters less.
    seen = context.availability or {}
    closed = seen.get("status") not in (None, "open") and "error" not in seen
    first = (
        availability_parts(context) + quote_parts(context)
        if closed
        else quote_parts(context) + availability_parts(context)
    )
    skip = {"price_adult", "price_child"} if context.quote and "error" not in context.quote else set()
    parts = first + answers_parts(context, skip=skip)
    return parts + missing_parts(context, need_guests=need_guests) + _next_step(context)


def _change_reply(context: DraftContext) -> list[Part]:
    change, settings = context.change or {}, context.station.settings
    parts: list[Part] = []
    if change.get("guests_changed") and "difference_cents" in change:
        difference = change["difference_cents"]
        key = (
            "change_guests_more" if difference > 0 else "change_guests_less" if difference < 0 else "change_guests_same"
        )
        party = _party(context, change, split=True)
        total = context.quote["display"]["total"]
        parts.append(
            _say(context, key, party=party, date=change["display_date"], total=total, difference=change["difference"])
        )
        hours = settings.guest_count_final_hours
        key = "change_deadline_passed" if change["guest_deadline_passed"] else "change_deadline_ok"
        parts.append(_say(context, key, change["guest_deadline_passed"], hours=hours))
    if change.get("move"):
        seen = context.availability or {}
        if seen.get("asked_time_open"):
            when = context.grounder.display_time(seen["asked_time"])
            parts.append(_say(context, "change_move_open", date=seen["display_date"], time=when))
        else:
            parts += availability_parts(context)
        if not change["notice_ok"]:
            parts.append(_say(context, "change_move_short_notice", hours=settings.reschedule_notice_hours))
        elif not change["free_reschedules_left"]:
            parts.append(_say(context, "change_move_no_free"))
    skip = {"guest_count_deadline"} if change.get("guests_changed") else set()
    parts += answers_parts(context, skip=skip)
    return [*parts, _say(context, "change_confirm")]


def _reschedule(context: DraftContext) -> list[Part]:
    parts = [_say(context, "sorry_to_hear")] if context.request.emotion == "negative" else []
    asked_policy = "reschedule_policy" in context.understanding.questions
    if asked_policy and context.change is None and not (context.facts.event_date or context.facts.time_of_day):
        return parts + answers_parts(context)  # "can we reschedule if something comes up?": the policy is the answer
    parts += availability_parts(context)
    if context.facts.event_date is None and context.facts.time_of_day is None:
        parts.append(_say(context, "ask_new_date"))
    parts += answers_parts(context)
    return [*parts, _say(context, "reschedule_check" if not context.bookings else "change_confirm")]


_IF_CANCEL = re.compile(r"\b(?:if|in\s+case|si|en\s+caso\s+de\s+que?)\s+(?:\w+\s+){0,4}(?:cancel|cancela|annul)")


def _cancellation(context: DraftContext) -> list[Part]:
    """The refund policy, and the next step when the customer does cancel (not when they ask "what if")."""
    sorry = [_say(context, "sorry_to_hear")] if context.request.emotion == "negative" else []
    parts = sorry + answers_parts(context, skip={"deposit"})
    if _IF_CANCEL.search(normalise(context.request.inbound_text)):
        return answers_parts(context)
    if context.bookings:
        shown = context.grounder.display_date(context.bookings[0].event_date)
        return [*parts, _say(context, "cancel_next_booking", date=shown)]
    return [*parts, _say(context, "cancel_next")]


# "Did you get my deposit? I paid yesterday", "still no refund": a payment to look up, not a policy to recite.
_PAYMENT_TO_CHECK = re.compile(
    r"\b(?:paid|sent|did\s+you\s+(?:get|receive)|charged|haven'?t\s+(?:heard|received|gotten)|still\s+(?:no|waiting|haven'?t)"
    r"|pague|mande|envie|recibieron|les\s+llego|me\s+cobraron|todavia\s+no|paye|envoye|recu|toujours\s+pas|debite)\b"
)


def _payment(context: DraftContext) -> list[Part]:
    if _PAYMENT_TO_CHECK.search(normalise(context.request.inbound_text)):
        return [_say(context, "payment_check")]
    parts = answers_parts(context)
    return parts or [_say(context, "payment_check")]


def _menu(context: DraftContext) -> list[Part]:
    parts = answers_parts(context)
    if parts:
        return parts
    policies, lang = context.policies, context.language
    proteins = join([protein(name, lang) for name in policies["proteins"]], lang)
    known = _knowledge(context)
    return [
        *known,
        _say(context, "menu_proteins", not known, n=policies["proteins_per_guest"], proteins=proteins),
        _say(context, "menu_upgrades", False),
        _say(context, "menu_allergies", False),
    ]


def _knowledge(context: DraftContext) -> list[Part]:
    """The knowledge-base entry that best answers the whole message, when it clearly does, in the reply's language."""
    for hit in context.knowledge[:1]:
        if hit.score >= QUOTE_THRESHOLD and detect_language(hit.answer) == context.language:
            return [Part(hit.answer.strip())]
    return []


def _general(context: DraftContext) -> list[Part]:
    parts = answers_parts(context)
    if parts:
        return parts
    return _knowledge(context) or [_say(context, "faq_unknown")]


def _complaint(context: DraftContext) -> list[Part]:
    return [_say(context, "complaint_sorry"), _say(context, "complaint_follow_up")]


def _feedback(context: DraftContext) -> list[Part]:
    key = "feedback_mixed" if context.request.emotion in ("negative", "angry") else "feedback_thanks"
    return [_say(context, key)]


_WRONG_NUMBER = re.compile(r"\b(?:wrong\s+(?:number|person)|numero\s+equivocado|me\s+equivoque|mauvais\s+numero)\b")


def _other(context: DraftContext) -> list[Part]:
    """Greetings, wrong numbers, spam, instructions aimed at the assistant: never a knowledge-base guess."""
    if context.quote or context.availability:
        return _party_reply(context)
    if _WRONG_NUMBER.search(normalise(context.request.inbound_text)):
        return [_say(context, "wrong_number")]
    return answers_parts(context) or [_say(context, "other_intro")]


def escalated_parts(context: DraftContext) -> list[Part]:
    """An apology and a person, nothing else: no prices, no upsell, no "all is fine"."""
    parts = [_say(context, "sorry"), _say(context, "sorry_serious", False), _say(context, "manager_follow_up")]
    if context.station.phone:
        parts.append(_say(context, "manager_call", False, phone=context.station.phone))
    return parts


BY_INTENT: dict[str, Callable[[DraftContext], list[Part]]] = {
    "booking_request": _party_reply,
    "quote_request": _party_reply,
    "availability": _party_reply,
    "reschedule": _reschedule,
    "cancellation": _cancellation,
    "payment": _payment,
    "menu_dietary": _menu,
    "complaint": _complaint,
    "feedback": _feedback,
    "general_faq": _general,
    "other": _other,
}


def plan(context: DraftContext) -> list[Part]:
    """The reply's parts, in order (escalation overrides everything)."""
    if context.escalated:
        return escalated_parts(context)
    if context.change is not None:
        main = _change_reply(context)
    elif context.understanding.change is not None and context.understanding.change.adds_guests and not context.bookings:
        main = [*answers_parts(context), _say(context, "change_find_booking")]
    else:
        handler = BY_INTENT.get(context.intent, _other)
        if handler in (_general, _menu, _payment) and (context.quote or context.availability):
            main = _party_reply(context)
        else:
            main = handler(context)
    return conflict_parts(context) + _dedupe(main)


def _dedupe(parts: list[Part]) -> list[Part]:
    seen: set[str] = set()
    kept = []
    for part in parts:
        if part.text not in seen:
            seen.add(part.text)
            kept.append(part)
    return kept
