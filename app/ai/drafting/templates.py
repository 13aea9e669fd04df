"""What the offline reply says, per intent: sentences built from the grounding, never from invention.

Each intent yields `Part`s; the channel form (forms.py) decides how many fit and how
they are laid out. Essential parts answer the customer or ask for what is missing;
optional ones (deposit terms, menu extras) are dropped first when an SMS runs long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from app.ai.drafting.context import DraftContext
from app.ai.drafting.knowledge import QUOTE_THRESHOLD, KnowledgeHit
from app.ai.drafting.phrases import PROTEINS_ES, phrase
from app.ai.language import detect_language


@dataclass(frozen=True)
class Part:
    text: str
    essential: bool = True
    priority: int = 0  # among optional parts, higher ones claim the room first


def _join(items: list[str], language: str, word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {phrase(language, word)} {items[-1]}"


def best_knowledge(context: DraftContext) -> KnowledgeHit | None:
    """The top entry when it clearly answers the message, in the reply's language."""
    if not context.knowledge:
        return None
    hit = context.knowledge[0]
    if hit.score < QUOTE_THRESHOLD or detect_language(hit.answer) != context.language:
        return None
    return hit


def _party(context: DraftContext, quote: dict[str, Any]) -> str:
    lang, settings = context.language, context.station.settings
    if context.facts.adults is None:
        return phrase(lang, "guests", n=quote["guests"])
    items = [phrase(lang, "adults", n=quote["adults"])]
    if quote["children"]:
        items.append(phrase(lang, "children", n=quote["children"]))
    if quote["toddlers"]:
        items.append(phrase(lang, "toddlers", n=quote["toddlers"], age=settings.child_min_age))
    return _join(items, lang)


def quote_parts(context: DraftContext) -> list[Part]:
    """The total for the described party, how it is made, and what is missing for an exact figure."""
    quote, lang = context.quote, context.language
    if quote is None:
        return []
    if quote.get("code") == "outside_service_area":
        return [Part(phrase(lang, "outside_area", miles=quote["miles"], radius=quote["radius_miles"]))]
    if "error" in quote:
        return [Part(phrase(lang, "quote_check"))]
    shown = quote["display"]
    if quote["zip_code"] is None or quote.get("travel_note"):
        travel = ""
    elif quote["travel_cents"]:
        travel = phrase(lang, "quote_travel_included", travel=shown["travel"])
    else:
        travel = phrase(lang, "quote_travel_free")
    parts = [Part(phrase(lang, "quote_total", party=_party(context, quote), total=shown["total"], travel=travel))]
    if quote["minimum_applied"]:
        parts.append(Part(phrase(lang, "quote_minimum", minimum=shown["minimum"])))
    elif context.facts.adults is None:
        adult_age = context.station.settings.adult_min_age
        per = {"per_adult": shown["per_adult"], "per_child": shown["per_child"]}
        parts.append(Part(phrase(lang, "quote_head_count", adult_age=adult_age, **per), essential=False))
    else:
        parts.append(Part(phrase(lang, "quote_per_guest", **shown), essential=False))
    if quote["zip_code"] is None or quote.get("travel_note"):
        miles = context.policies["travel_free_miles"]
        parts.append(Part(phrase(lang, "quote_travel_ask", miles=miles), essential=False))
    return parts


def availability_parts(context: DraftContext) -> list[Part]:
    """The open slots of the asked date, or why there are none."""
    seen, lang = context.availability, context.language
    if seen is None or "error" in seen:
        return []
    day, status = seen["display_date"], seen["status"]
    if status == "open":
        slots = _join(seen["display_slots"], lang, "or")
        if seen.get("asked_time_open"):
            return [Part(phrase(lang, "open_asked", date=day, time=context.grounder.display_time(seen["asked_time"])))]
        if seen.get("asked_time"):
            time = context.grounder.display_time(seen["asked_time"])
            return [Part(phrase(lang, "open_other", date=day, time=time, slots=slots))]
        return [Part(phrase(lang, "open", date=day, slots=slots))]
    policies = context.policies
    values = {"date": day, "hours": policies["lead_time_hours"], "days": policies["horizon_days"]}
    return [Part(phrase(lang, status, **values))]


def missing_question(context: DraftContext, *, need_guests: bool = True, need_date: bool = True) -> list[Part]:
    """Ask for the facts a quote or a booking still needs, instead of assuming them."""
    lang = context.language
    no_guests = need_guests and not context.facts.guests
    no_date = need_date and context.facts.event_date is None
    if no_guests and no_date:
        return [Part(phrase(lang, "ask_guests_and_date"))]
    if no_guests:
        return [Part(phrase(lang, "ask_guests"))]
    if no_date:
        return [Part(phrase(lang, "ask_date"))]
    return []


def _deposit(context: DraftContext, *, essential: bool = False, key: str = "deposit") -> Part:
    policies = context.policies
    text = phrase(context.language, key, deposit=policies["display"]["deposit"], hours=policies["deposit_due_hours"])
    return Part(text, essential)


def _knowledge(context: DraftContext, *, essential: bool = False) -> list[Part]:
    hit = best_knowledge(context)
    return [Part(hit.answer.strip(), essential)] if hit else []


def _quote_or_booking(context: DraftContext) -> list[Part]:
    parts = quote_parts(context) + availability_parts(context) + missing_question(context)
    if context.quote and "error" not in context.quote:
        seen = context.availability or {}
        if context.request.intent == "booking_request" and seen.get("status") == "open":
            parts.append(Part(phrase(context.language, "book_confirm" if seen.get("asked_time_open") else "book_next")))
        parts.append(_deposit(context))
    return parts + _knowledge(context)


def _availability(context: DraftContext) -> list[Part]:
    parts = availability_parts(context) + missing_question(context, need_guests=False)
    return parts + quote_parts(context) + _knowledge(context)


def _reschedule(context: DraftContext) -> list[Part]:
    lang, policies = context.language, context.policies
    parts = availability_parts(context)
    if context.facts.event_date is None:
        parts.append(Part(phrase(lang, "ask_new_date")))
    if policies["free_reschedules"]:
        policy = phrase(
            lang, "reschedule_policy", n=policies["free_reschedules"], hours=policies["reschedule_notice_hours"]
        )
        parts.append(Part(policy, essential=False))
    return [*parts, Part(phrase(lang, "reschedule_check"), essential=False)]


def _cancellation(context: DraftContext) -> list[Part]:
    lang = context.language
    policy = phrase(lang, "cancel_policy", days=context.policies["refund_cutoff_days"])
    return [Part(policy), Part(phrase(lang, "cancel_next"))]


def _payment(context: DraftContext) -> list[Part]:
    parts = [_deposit(context, essential=True, key="deposit_due")]
    return [*parts, *_knowledge(context), Part(phrase(context.language, "payment_check"))]


def _protein(name: str, language: str) -> str:
    """Mid-sentence form: "chicken", "NY strip" (acronyms keep their capitals), Spanish for the defaults."""
    if language == "es":
        return PROTEINS_ES.get(name, name)
    return name if name[:2].isupper() else name.lower()


def _menu(context: DraftContext) -> list[Part]:
    lang, policies = context.language, context.policies
    answer = _knowledge(context, essential=True)
    proteins = _join([_protein(name, lang) for name in policies["proteins"]], lang)
    menu = Part(phrase(lang, "menu_proteins", n=policies["proteins_per_guest"], proteins=proteins), not answer)
    return [*answer, menu, Part(phrase(lang, "menu_upgrades"), False), Part(phrase(lang, "menu_allergies"), False)]


def _feedback(context: DraftContext) -> list[Part]:
    key = "feedback_mixed" if context.request.emotion == "negative" else "feedback_thanks"
    return [Part(phrase(context.language, key))]


def _general(context: DraftContext) -> list[Part]:
    answer = _knowledge(context, essential=True)
    return answer or [Part(phrase(context.language, "faq_unknown"))]


def _other(context: DraftContext) -> list[Part]:
    if context.quote or context.availability:
        return _quote_or_booking(context)
    return _knowledge(context, essential=True) or [Part(phrase(context.language, "other_intro"))]


def escalated_parts(context: DraftContext) -> list[Part]:
    """An apology and a person, nothing else: no prices, no upsell, no "all is fine"."""
    lang, phone = context.language, context.station.phone
    parts = [Part(phrase(lang, "sorry")), Part(phrase(lang, "sorry_serious"), essential=False)]
    parts.append(Part(phrase(lang, "manager_follow_up")))
    if phone:
        parts.append(Part(phrase(lang, "manager_call", phone=phone), essential=False))
    return parts


BY_INTENT: dict[str, Callable[[DraftContext], list[Part]]] = {
    "booking_request": _quote_or_booking,
    "quote_request": _quote_or_booking,
    "availability": _availability,
    "reschedule": _reschedule,
    "cancellation": _cancellation,
    "payment": _payment,
    "menu_dietary": _menu,
    "complaint": escalated_parts,
    "feedback": _feedback,
    "general_faq": _general,
    "other": _other,
}


def content(context: DraftContext, *, with_knowledge: bool = True) -> list[Part]:
    """The reply's sentences for the message's intent (escalation overrides the intent)."""
    if context.escalated:
        return escalated_parts(context)
    if not with_knowledge:
        context = replace(context, knowledge=[])
    return BY_INTENT.get(context.request.intent or "other", _other)(context)
