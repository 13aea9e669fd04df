"""Answers to what the customer asked, from what Teppan knows: settings, menu, pricing, knowledge base.

Each asked topic (app.ai.understanding.questions) gets an `Answer`: the values its
sentence states, taken from the station's settings, the pricing engine (travel to a
ZIP or town) or the knowledge-base entry on that topic written in the reply's
language. A topic Teppan has no answer for is `known=False`: the reply says a manager
will confirm it, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.ai.drafting.grounding import Grounder
from app.ai.drafting.knowledge import KnowledgeHit, rank
from app.ai.language import detect_language
from app.models.conversation import KnowledgeEntry

# What a knowledge-base entry on each topic is about, in the three languages.
TOPIC_QUERIES = {
    "setup": "space setup set up grill tables chairs plates bring provide indoors outdoors espacio parrilla mesas "
    "sillas platos traen interior espace grill tables chaises assiettes apporter interieur",
    "rain": "rain weather covered reschedule lluvia llueve cubierto pluie pleut couvert",
    "allergies": "allergy allergies allergic nut shellfish alergia alergias alergico allergie allergies allergique",
    "dietary": "vegetarian vegan gluten diet vegetariano vegano dieta vegetarien vegetalien regime",
    "duration": "how long last hours duration minutes cuanto dura horas duracion combien temps heures duree",
}
KNOWLEDGE_TOPICS = frozenset(TOPIC_QUERIES)
# The BM25 score above which an entry is taken to answer the topic.
TOPIC_THRESHOLD = 1.0
VEGETARIAN_PROTEINS = ("tofu", "vegetable", "veggie", "verdura", "legume")


@dataclass
class Answer:
    topic: str
    values: dict[str, Any] = field(default_factory=dict)
    known: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "known": self.known, **self.values}


def _knowledge(entries: list[KnowledgeEntry], topic: str, language: str, message: str) -> KnowledgeHit | None:
    """The station's entry on `topic` written in `language`, if any: of those on the topic, the one closest to
    the customer's own words ("can you cook indoors?" is the indoor entry, not the what-we-bring one)."""
    on_topic = [
        hit
        for hit in rank(entries, TOPIC_QUERIES[topic], top=10)
        if hit.score >= TOPIC_THRESHOLD and detect_language(f"{hit.question} {hit.answer}") == language
    ]
    ids = {hit.id for hit in on_topic}
    closest = [hit for hit in rank(entries, message, top=10) if hit.id in ids]
    return (closest or on_topic or [None])[0]


def answer(topic: str, grounder: Grounder, entries: list[KnowledgeEntry], facts: Any, message: str = "") -> Answer:
    """The grounded answer to one topic."""
    settings, money = grounder.station.settings, grounder.money
    kind, _, key = topic.partition(":")
    if kind in ("upgrade", "add_on"):
        item = settings.upgrade(key) if kind == "upgrade" else settings.add_on(key)
        if item is None:
            return Answer(topic, known=False)
        return Answer(topic, {"item": item.label, "price": money(item.price_cents), "price_cents": item.price_cents})
    if topic in KNOWLEDGE_TOPICS:
        hit = _knowledge(entries, topic, grounder.language, message)
        if hit is not None:
            return Answer(topic, {"text": hit.answer.strip(), "knowledge_id": hit.id})
        if topic == "dietary":
            meatless = [p for p in settings.proteins if p.lower().startswith(VEGETARIAN_PROTEINS)]
            if meatless:
                return Answer(topic, {"proteins": meatless})
        return Answer(topic, known=False)
    simple = {
        "price_adult": lambda: {"per_adult": money(settings.adult_price_cents), "adult_age": settings.adult_min_age},
        "price_child": lambda: {
            "per_child": money(settings.child_price_cents),
            "child_age": settings.child_min_age,
            "adult_age": settings.adult_min_age,
            "top_age": settings.adult_min_age - 1,
        },
        "minimum": lambda: {"minimum": money(settings.party_minimum_cents)},
        "deposit": lambda: {"deposit": money(settings.deposit_cents), "hours": settings.deposit_due_hours},
        "refund": lambda: {"days": settings.refund_cutoff_days, "deposit": money(settings.deposit_cents)},
        "gratuity": lambda: {"percent": settings.gratuity_percent},
        "payment_methods": lambda: {"methods": list(settings.payment_methods)},
        "slots": lambda: {"slots": [grounder.display_time(slot) for slot in settings.slot_times]},
        "reschedule_policy": lambda: {"n": settings.free_reschedules, "hours": settings.reschedule_notice_hours},
        "guest_count_deadline": lambda: {"hours": settings.guest_count_final_hours},
    }
    if topic in simple:
        return Answer(topic, simple[topic]())
    if topic == "travel":
        return _travel(grounder, facts)
    return Answer(topic, known=False)


def _travel(grounder: Grounder, facts: Any) -> Answer:
    """The travel policy, and the pricing engine's fee to the ZIP or town the customer named."""
    settings, money = grounder.station.settings, grounder.money
    values: dict[str, Any] = {
        "free_miles": settings.travel_free_miles,
        "per_mile": money(settings.travel_per_mile_cents),
        "radius": settings.service_radius_miles,
    }
    place = facts.zip_code or (facts.town[1] if facts.town else None)
    if place:
        values["place"] = facts.town[0] if facts.town and not facts.zip_code else place
        values.update(grounder.travel_to(place))
    return Answer("travel", values)


def answer_all(
    topics: tuple[str, ...], grounder: Grounder, entries: list[KnowledgeEntry], facts: Any, message: str = ""
) -> list[Answer]:
    return [answer(topic, grounder, entries, facts, message) for topic in topics]
