"""Who is coming: adults, children and little ones, from prepared text (numbers already digits).

A head count with no split ("25 people", "party of 12", "40 employees", "8 of us") is a
party of that many, priced as adults until the customer says otherwise. "20 people, 6
of them kids" and "16 personnes dont 6 enfants" are 14 adults and 6 children. A range
("20-25 people") is not a count: the reply asks. Numbers that change a booking ("5
more", "instead of 22") are read by `app.ai.understanding.change`, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ADULT_WORDS = r"adults?|grown[- ]?ups?|parents|moms|dads|adultos?|mayores|padres|adultes?|grands"
CHILD_WORDS = r"kids?|kiddos?|children|childs?|ninos?|ninas?|chicos|chiquitos|menores|enfants?|gamins|petits"
TODDLER_WORDS = r"toddlers?|babies|baby|infants?|bebes?"
GUEST_WORDS = (
    r"people|persons?|guests?|ppl|pax|folks|heads|employees|coworkers|co-workers|colleagues|friends|ladies|guys"
    r"|personas?|invitados?|gente|comensales|empleados|amigos|amigas|personnes?|invites|convives|employes"
    r"|collegues|amis|amies"
)
_OF = r"\s+(?:de\s+|d\s+|of\s+)?(?:little\s+|small\s+|pequenos\s+|petits\s+)?"
_N = r"(\d{1,3})\+?"
_ADULTS = re.compile(rf"\b{_N}{_OF}(?:{ADULT_WORDS})\b")
_CHILDREN = re.compile(rf"\b{_N}{_OF}(?:{CHILD_WORDS})\b")
_TODDLERS = re.compile(rf"\b{_N}{_OF}(?:{TODDLER_WORDS})\b")
_GUESTS = re.compile(
    rf"\b{_N}\s+(?:(?:more|total|in\s+total|en\s+total|au\s+total)\s+)?(?:{GUEST_WORDS})\b"
    rf"|\b(?:party|group|table|grupo|fiesta|mesa|groupe|fete)\s+(?:of|for|de|para|pour)\s+{_N}\b(?!\s*(?:pm|am|:|h\b))"
    rf"|\b{_N}\s+(?:of\s+us|de\s+nosotros|d\s+entre\s+nous)\b"
    rf"|\b(?:we\s+are|we'?re|we\s+will\s+be|we'?ll\s+be|there\s+will\s+be|there'?ll\s+be|headcount\s+(?:is|of)"
    rf"|somos|seremos|seriamos|vamos\s+a\s+ser|nous\s+sommes|on\s+(?:est|sera|serait)|nous\s+serons)"
    rf"\s+(?:now\s+|ahora\s+|maintenant\s+|about\s+|around\s+|like\s+|como\s+|unos\s+|environ\s+)?{_N}\b"
    rf"(?!\s*(?:%|\$|:|pm|am|h\b|minutes|hours|years|anos|ans|families|familias|familles))"
    rf"|\b(?:for|para|pour)\s+(?:about\s+|around\s+|unos\s+|unas\s+|environ\s+)?{_N}(?=\s*(?:[?!.,]|$|\s+(?:on|el|le|at|a\s+las|in|en)\b))"
)
# "12 people including 3 kids", "20 ppl, 6 of them kids", "16 personnes dont 6 enfants".
_INCLUDING = re.compile(
    rf"\b(?:including|incl\.?|inc\.?|with|of\s+which|dont|incluyendo|incluidos?|de\s+los\s+cuales)\s+{_N}\s+"
    rf"(?:(?:are|son|sont)\s+)?(?:{CHILD_WORDS}|{TODDLER_WORDS})\b"
    rf"|\b{_N}\s+(?:of\s+them|de\s+ellos|d\s+entre\s+eux)\s+(?:are\s+|son\s+|sont\s+)?(?:{CHILD_WORDS})\b"
)
_RANGE = re.compile(r"\b(\d{1,3})\s*(?:-|–|to|a|or|o|ou)\s*(\d{1,3})\s+(?:" + GUEST_WORDS + "|" + ADULT_WORDS + r")\b")
_PLUS = re.compile(rf"\b{_N}\s+(?:of\s+us|de\s+nosotros)\s*(?:\+|plus|and|y|et)\s*{_N}\s+(?:{GUEST_WORDS})\b")
# Numbers that are not the party: changes ("5 more", "instead of 22") and ages ("turning 10", "7 and 10").
_NOT_PARTY = re.compile(
    r"\b(?:instead\s+of|rather\s+than|en\s+vez\s+de|en\s+lugar\s+de|au\s+lieu\s+de)\s+\d{1,3}\b"
    r"|\b(?:from|de)\s+\d{1,3}\s+(?:to|a)\s+(?=\d)"
    r"|\b(?:add|adding|agregar|anadir|sumar|ajouter|rajouter)\s+(?:another\s+|otros?\s+|otras?\s+)?\d{1,3}\b"
    r"|\b\d{1,3}\s+(?:more|extra|additional|mas|adicionales|de\s+plus|en\s+plus|supplementaires?)\b"
)


@dataclass(frozen=True)
class Party:
    guests: int | None = None  # everyone, little ones included
    adults: int | None = None  # a bare head count is read as adults
    children: int | None = None
    toddlers: int | None = None
    range_given: bool = False  # "20-25 people": ask, do not pick
    adults_stated: bool = False  # the customer counted adults ("10 adults"), not heads


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    for match in pattern.finditer(text):
        value = int(next(group for group in match.groups() if group))
        if 0 < value <= 500:
            return value
    return None


def _mask(text: str) -> str:
    """Blank out numbers that change a booking, so that they are not read as its size."""
    return _NOT_PARTY.sub(lambda m: re.sub(r"\d", "#", m.group(0)), text)


def read(text: str) -> Party:
    """The party stated in prepared `text`."""
    if _RANGE.search(text):
        return Party(range_given=True)
    text = _mask(text)
    adults, children, toddlers = _first(_ADULTS, text), _first(_CHILDREN, text), _first(_TODDLERS, text)
    plus = _PLUS.search(text)
    total = int(plus.group(1)) + int(plus.group(2)) if plus else _first(_GUESTS, text)
    included = _INCLUDING.search(text)
    if included:
        kids = int(next(group for group in included.groups() if group))
        if total and kids < total and adults is None:
            return Party(total, total - kids, kids, toddlers)
    if adults is not None:
        named = adults + (children or 0) + (toddlers or 0)
        return Party(max(named, total or 0), adults, children, toddlers, adults_stated=True)
    if total is not None and (children or toddlers):
        rest = total - (children or 0) - (toddlers or 0)
        if rest > 0:
            return Party(total, rest, children, toddlers)
        # "a dozen kids and 10 parents" has its adults elsewhere; "10 kids, 10 people" says nothing clear.
        return Party(None, None, children, toddlers)
    if total is not None:
        return Party(total, total, None, None)
    return Party(None, None, children, toddlers)
