"""The last stage: what a draft may not say unless the station's data says it.

Every draft, offline or OpenAI, and every sentence reused from an approved reply, is
checked before it reaches the manager:
- amounts: each money figure equals the pricing engine's output or a settings value,
  and every other number comes from the grounding or the customer (numbers.py);
  spelled-out numbers ("twenty dollars", "cincuenta por ciento") are read as digits;
- percentages: only a settings percentage (the suggested gratuity);
- money words: "free", "no charge", "full refund", "% off", "on the house", "discount"
  and their Spanish and French forms are allowed only where a setting makes them true
  (travel free for the first N miles, kids under N eat free, N free reschedules, no
  travel fee in the engine's quote, the deposit refundable N days before);
- commitments: calls, promised times ("this afternoon"), guarantees, confirmed bookings
  and refunds are never made by a draft.
`problems()` lists the reasons in words; a draft with any is held for the manager.
"""

from __future__ import annotations

import re
from typing import Any

from app.ai.drafting.numbers import numbers_grounded
from app.ai.understanding.text import normalise, prepare

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|percent\b|per\s+cent\b|por\s+ciento\b|pour\s?cent\b)")

# Always held: nothing in the settings grants a discount or a gift.
_NEVER = re.compile(
    r"\b(?:discount\w*|on\s+the\s+house|complimentary|comp(?:ed|'d)|waive\w*|no\s+charge|free\s+of\s+charge|at\s+no\s+cost"
    r"|full\s+refund|refund\s+in\s+full|100\s*%\s*refund|money\s+back|% off|\d+\s*%\s*off|percent\s+off"
    r"|descuento\w*|cortesia|de\s+regalo|sin\s+cargo|reembolso\s+(?:completo|total)|reembolsamos\s+todo"
    r"|remise|reduction|rabais|offert\w*|cadeau|remboursement\s+(?:integral|total|complet)|rembourse\w*\s+(?:en\s+)?totalite)"
)
# "free" but not "nut-free" or "gluten-free" (a kitchen, not a price).
_FREE = re.compile(
    r"(?<!-)(?<!feel )\b(?:free(?!\s+to\b)|gratis|sin\s+costo|no\s+pagan|gratuite?s?|sans\s+frais|ne\s+paient\s+pas"
    r"|no\s+travel\s+fee)\b"
)
_REFUND = re.compile(
    r"\b(?:refund\w*|reembols\w*|rembours\w*|get\s+(?:it|the\s+deposit|your\s+deposit)\s+back|devolv\w*)\b"
)
_COMMITMENTS = [
    ("promises a call", re.compile(
        r"\b(?:i'?ll|we'?ll|i\s+will|we\s+will|will|let\s+me|going\s+to|gonna)\s+(?:\w+\s+){0,2}(?:call|phone|ring|text)\s+you\b"
        r"|\bgive\s+you\s+a\s+(?:call|ring)\b|\b(?:le|te|les)\s+(?:llamo|llamamos|llamare|llamaremos|marco)\b"
        r"|\b(?:llamarle|llamarte|llamarlos)\b|\bvous\s+(?:appelle|appellerai|appellerons|rappelle|rappellerai|rappellerons)\b"
        r"|\b(?:je|nous|on)\s+vous\s+(?:appelle|rappelle)\b")),
    ("promises a time", re.compile(
        r"\b(?:this\s+(?:afternoon|morning|evening)|tonight|later\s+today|by\s+(?:today|tonight|tomorrow|end\s+of\s+day|eod)"
        r"|(?:will|'ll)\s+(?:\S+\s+){0,6}?within\s+(?:the|an|\d+)\s+(?:hour|minutes?|hours)|in\s+\d+\s+minutes"
        r"|first\s+thing\s+tomorrow"
        r"|esta\s+(?:tarde|manana|noche)|hoy\s+mismo|en\s+\d+\s+minutos|cet\s+apres-midi|ce\s+soir|aujourd\s?hui\s+meme"
        r"|dans\s+l\s?heure|d\s?ici\s+ce\s+soir)\b")),
    ("guarantees something", re.compile(
        r"(?<!cannot )(?<!can't )(?<!can not )(?<!no podemos )(?<!ne pouvons pas )(?<!ne pouvons pas vous )"
        r"\b(?:guarantee\w*|promise\w*|garantiz\w*|prometemos|prometo|garanti\w*|promets|promettons)\b")),
    ("says a booking is confirmed", re.compile(
        r"\b(?:you'?re\s+(?:all\s+)?(?:booked|set|confirmed)|(?:booking|reservation|date)\s+is\s+(?:confirmed|booked|locked)"
        r"|we'?ve\s+(?:booked|reserved|confirmed)|(?:reserva|fecha)\s+(?:esta|queda)\s+confirmada|(?:reservation|date)\s+est\s+confirmee)\b")),
]  # fmt: skip


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE.split(text) if part.strip()]


def _free_allowed(sentence: str, grounding: dict[str, Any]) -> bool:
    """A "free" that a setting makes true, in this very sentence."""
    policies, quote = grounding.get("policies") or {}, grounding.get("quote") or {}
    if re.search(r"\b(?:miles?|millas?|mi)\b", sentence) and str(policies.get("travel_free_miles")) in sentence:
        return bool(policies.get("travel_free_miles"))
    if re.search(r"\b(?:under|menores\s+de|moins\s+de)\s+(\d+)", sentence):
        age = int(re.search(r"\b(?:under|menores\s+de|moins\s+de)\s+(\d+)", sentence).group(1))
        return age == policies.get("child_min_age")
    if re.search(r"\b(?:reschedul\w*|cambio\s+de\s+fecha|report)", sentence):
        return bool(policies.get("free_reschedules"))
    if re.search(r"\b(?:travel|traslado|deplacement)", sentence):
        travel = [quote.get("travel_cents")] + [a.get("travel_cents") for a in grounding.get("answers") or []]
        return 0 in travel
    return False


def _refund_allowed(sentence: str, grounding: dict[str, Any]) -> bool:
    """The refund policy as the settings state it ("refundable ... at least 7 days before")."""
    days = (grounding.get("policies") or {}).get("refund_cutoff_days")
    return days is not None and re.search(rf"\b{days}\s+(?:days|dias|jours)\b", sentence) is not None


def money_word_problems(text: str, grounding: dict[str, Any]) -> list[str]:
    problems = []
    for raw in _sentences(text):
        sentence = normalise(raw)
        for match in _NEVER.finditer(sentence):
            problems.append(f"says “{match.group(0)}”, which no setting grants")
        if _FREE.search(sentence) and not _free_allowed(sentence, grounding):
            problems.append(f"says “{_FREE.search(sentence).group(0)}” where no setting makes it free")
        if _REFUND.search(sentence) and not _refund_allowed(sentence, grounding):
            problems.append(f"mentions a refund (“{_REFUND.search(sentence).group(0)}”) beyond the refund policy")
    return problems


def percent_problems(text: str, grounding: dict[str, Any]) -> list[str]:
    allowed = {(grounding.get("policies") or {}).get("gratuity_percent")} - {None, 0}
    return [
        f"{match.group(0).strip()} is not a percentage in the settings"
        for match in _PERCENT.finditer(text)
        if float(match.group(1).replace(",", ".")) not in allowed
    ]


def commitment_problems(text: str) -> list[str]:
    sentence = normalise(text)
    return [
        f"{label} (“{pattern.search(sentence).group(0)}”)"
        for label, pattern in _COMMITMENTS
        if pattern.search(sentence)
    ]


def problems(text: str, grounding: dict[str, Any], inbound_text: str, language: str | None = None) -> list[str]:
    """Why `text` may not go out as it is (empty: it may)."""
    digits = prepare(text, language)
    found = [f"{raw} is not a figure from the pricing engine, the settings or the customer"
             for raw in numbers_grounded(digits, grounding, prepare(inbound_text, language))]  # fmt: skip
    found += percent_problems(digits, grounding)
    found += money_word_problems(text, grounding)
    found += commitment_problems(text)
    return list(dict.fromkeys(found))
