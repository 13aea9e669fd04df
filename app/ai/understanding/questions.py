# ruff: noqa: E501 - word lists read better unwrapped, one family a line
"""What the customer asks about, as topics the reply can answer from what Teppan knows.

Topics: price_adult, price_child, minimum, deposit, refund, gratuity, payment_methods,
travel, slots, setup, rain, allergies, dietary, duration, reschedule_policy,
guest_count_deadline, and "upgrade:<key>" / "add_on:<key>" for the station's menu.
A topic is found by words in English, Spanish and French over prepared text; the
words name the subject, so "is gratuity included?" and "la propina va aparte?" are
both `gratuity`. Menu items are matched by the station's own labels plus the usual
translations of the default ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOPICS: dict[str, str] = {
    "price_child": r"\b(?:kids?|child(?:ren)?|ninos?|nino|enfants?|enfant)\b.{0,25}\b(?:price|cost|how\s+much|charge|precio|cuesta|cobran|cuanto|prix|combien|tarif)"
    r"|\b(?:price|cost|how\s+much|charge|precio|cuesta|cobran|cuanto|prix|combien|tarif)\b.{0,25}\b(?:per|por|par|for|x|a)\s+(?:kid|child|nino|enfant)"
    r"|\b(?:kids?|children)\s+(?:price|pricing|rate|cost)|\bprecio\s+(?:por|de|para)\s+ninos?|\bprix\s+(?:par\s+|des\s+)?enfants?",
    "price_adult": r"\b(?:per|por|par|a)\s+(?:adult|adulto|adulte|person|persona|personne|head|cabeza|guest)\b"
    r"|\bprice\s+per\b|\bprecio\s+por\s+persona\b|\bprix\s+par\s+personne\b",
    "minimum": r"\b(?:minimum|minimo|min\s+(?:order|spend|price))\b",
    "deposit": r"\b(?:deposit|depo|deposito|anticipo|enganche|seña|sena|acompte|arrhes)\b",
    "refund": r"\b(?:refund\w*|money\s+back|get\s+(?:it|that|the\s+deposit|my\s+deposit)\s+back|reembols\w*|devuelv\w*|devolucion"
    r"|rembours\w*|recuper\w*\s+(?:el|mi)\s+deposito)\b",
    "gratuity": r"\b(?:tip|tips|tipping|gratuity|gratuities|propina|propinas|pourboire|service\s+compris)\b",
    "payment_methods": r"\b(?:venmo|zelle|cash\s?app|paypal|apple\s+pay|credit\s+card|debit|tarjeta|efectivo|cheque|especes|carte"
    r"|card|cash|(?:by|with|a|pay\s+(?:by|with))\s+check|checks|forms?\s+of\s+payment|payment\s+methods?|how\s+(?:do|can)\s+(?:i|we)\s+pay|como\s+(?:pago|pagar|puedo\s+pagar)"
    r"|formas?\s+de\s+pago|moyens?\s+de\s+paiement|comment\s+payer|par\s+carte)\b",
    "travel": r"\b(?:travel\w*|trip\s+fee|mileage|drive\s+(?:out|to)|service\s+area|how\s+far|traslado|viaje|desplazamiento"
    r"|deplacez|deplacement|deplacer\s+jusqu|frais\s+de\s+(?:route|deplacement))\b",
    "slots": r"\b(?:time\s*slots|(?:what|which)\s+(?:time\s+)?slots|slots\s+(?:do\s+you|are|on)|what\s+times?|which\s+times?"
    r"|times?\s+(?:do\s+you|are)|start\s+times|evening\s+open|horarios|que\s+horario|a\s+que\s+hora|que\s+horas|creneaux"
    r"|horaires|quelle\s+heure|quelles\s+heures)\b",
    "setup": r"\b(?:space|room\s+(?:do|for|to)|how\s+much\s+room|setup|set\s+up\s+(?:the\s+)?(?:grill|area|station)|indoors?|inside|tables?|chairs|plates|utensils|grill"
    r"|propane|espacio|traen|traer|mesas|platos|parrilla|adentro|espace|prevoir|assiettes|interieur)\b(?!\s+(?:for|of|para|pour|de)\s+\d)",
    "rain": r"\b(?:rain\w*|weather|storm|llueve|lluvia|lloviendo|clima|pleut|pluie|meteo)\b",
    "allergies": r"\b(?:allerg\w*|alergi\w*|alergic\w*|epipen|nut\s+free|peanuts?|shellfish|mariscos|mani|cacahuetes?"
    r"|crustaces|arachides?|fruits\s+a\s+coque)\b",
    "dietary": r"\b(?:vegan\w*|vegetarian\w*|veggie|gluten|halal|kosher|dairy|lactose|no\s+meat|don'?t\s+eat\s+meat|vegano|vegetariano"
    r"|sin\s+gluten|vegetalien|vegetarien|sans\s+gluten|sans\s+viande)\b",
    "duration": r"\b(?:how\s+long|how\s+many\s+hours|duration|cuanto\s+(?:dura|tiempo)|cuantas\s+horas|duracion|combien\s+de\s+temps"
    r"|duree|ca\s+dure)\b",
    "reschedule_policy": r"\b(?:reschedul\w*\s+(?:policy|if)|can\s+(?:we|i)\s+reschedule|policy\s+(?:on|for)\s+reschedul\w*"
    r"|cambiar\s+la\s+fecha\s+si|politica\s+de\s+cambio|reporter\s+si|changer\s+la\s+date\s+si)\b",
    "guest_count_deadline": r"\b(?:final\s+(?:head\s?count|count|number)|headcount|head\s+count|numero\s+final|cantidad\s+final"
    r"|nombre\s+definitif|nombre\s+final)\b",
}
_COMPILED = {topic: re.compile(pattern) for topic, pattern in _TOPICS.items()}
_QUESTION = re.compile(
    r"\?|\b(?:how|what|whats|which|when|do\s+you|does|is|are|can|could|would|any|cuanto|cuanta|que|cual|como|tienen|aceptan"
    r"|hay|puedo|pueden|combien|quel|quelle|est-ce|vous|acceptez|faites|c\s?est)\b"
)

# Translations of the default menu's items (a station's own labels are matched as they are).
MENU_WORDS = {
    "filet_mignon": r"filet(?:\s+mignon)?|filete|solomillo",
    "lobster_tail": r"lobster|langosta|homard|langouste",
    "scallops": r"scallops?|vieiras?|callos\s+de\s+hacha|saint[\s-]jacques|petoncles?",
    "salmon": r"salmon|saumon",
    "extra_protein": r"extra\s+protein|proteina\s+extra|proteine\s+supplementaire",
    "gyoza": r"gyozas?|dumplings?",
    "edamame": r"edamame",
    "yakisoba": r"yakisoba|noodles|fideos|nouilles",
    "fried_rice": r"fried\s+rice|arroz\s+frito|riz\s+frit",
}
_PRICE = re.compile(
    r"\b(?:price|cost|how\s+much|charge|extra|upgrade|add|precio|cuesta|cuanto|cobran|adicional|prix|combien|coute|supplement)"
)


def _item_patterns(items: Iterable[tuple[str, str]]) -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for key, label in items:
        words = [re.escape(label.lower())]
        if key in MENU_WORDS:
            words.append(MENU_WORDS[key])
        patterns.append((key, re.compile(r"\b(?:" + "|".join(words) + r")\b")))
    return patterns


# Words that ask about travel only when a town is named with them ("do you come out to Macon?").
TRAVEL_TO_TOWN = re.compile(
    r"\b(?:come\s+(?:out\s+)?to|go\s+to|serve|cover|van\s+hasta|vienen\s+a|llegan\s+a|hacen\s+fiestas\s+en|van\s+a"
    r"|venez\s+a|allez\s+a|jusqu\s?a)\b"
)


def topics(
    text: str, *, upgrades: Iterable[tuple[str, str]] = (), add_ons: Iterable[tuple[str, str]] = ()
) -> list[str]:
    """The topics the prepared `text` asks about, in a stable order."""
    found = [topic for topic, pattern in _COMPILED.items() if pattern.search(text)]
    if "price_child" in found and "price_adult" in found and not re.search(r"\b(?:adult|adulto|adulte)", text):
        found.remove("price_adult")  # "how much per kid" is not a question about adults
    asks_price = bool(_PRICE.search(text))
    for kind, items in (("upgrade", upgrades), ("add_on", add_ons)):
        for key, pattern in _item_patterns(items):
            if pattern.search(text) and (asks_price or kind == "add_on"):
                found.append(f"{kind}:{key}")
    return found


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))
