"""A change to a booking the customer already has: more guests, another time, another date.

Only the request is read here ("add 5 more people", "ahora somos 25", "on peut rajouter
3 enfants ?", "move it to June 19", "from 3 to 6pm"); whether there is a booking to
change, and what the change costs, is the grounding's job (it looks the customer up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.ai.understanding.party import CHILD_WORDS, GUEST_WORDS, TODDLER_WORDS

_ADD = re.compile(
    r"\b(?:add|adding|plus|agregar|anadir|sumar|ajouter|rajouter|another)\s+(?:another\s+|otros?\s+|otras?\s+)?(\d{1,3})"
    r"(?:\s+(?:more|extra|additional|mas|de\s+plus|en\s+plus|supplementaires?))?"
    rf"(?:\s+(?:(?:little|small|pequenos|petits)\s+)?({CHILD_WORDS}|{TODDLER_WORDS}|{GUEST_WORDS}|adults?|adultos?|adultes?))?\b"
    r"|\b(\d{1,3})\s+(?:more|extra|additional|mas|de\s+plus|en\s+plus|supplementaires?)"
    rf"(?:\s+(?:(?:little|small|pequenos|petits)\s+)?({CHILD_WORDS}|{TODDLER_WORDS}|{GUEST_WORDS}|adults?|adultos?|adultes?))?\b"
)
_NEW_TOTAL = re.compile(
    r"\b(?:now|ahora|maintenant|instead\s+of|en\s+vez\s+de|en\s+lugar\s+de|au\s+lieu\s+de|bigger|smaller|more\s+than\s+planned"
    r"|went\s+up|went\s+down|changed\s+to|new\s+(?:count|total|number)|mas\s+grande|plus\s+nombreux)\b"
)
_MOVE = re.compile(
    r"\b(?:move|moving|push|change|changing|switch|reschedul\w*|postpone|mover|cambiar\w*|pasar|adelantar|atrasar|recorrer"
    r"|posponer|deplacer|changer|decaler|avancer|reculer|reporter)\b"
)
_BOOKING = re.compile(
    r"\b(?:our|my|the)\s+(?:party|booking|reservation|event|date|fiesta)\b|\bwe\s+(?:booked|have\s+a\s+(?:booking|reservation))"
    r"|\b(?:booked|reserved)\s+(?:you|for)\b|\btenemos\s+(?:una\s+)?reserva|\b(?:mi|nuestra)\s+(?:fiesta|reserva|reservacion)\b"
    r"|\breservamos\b|\bon\s+a\s+reserve|\b(?:notre|ma)\s+(?:fete|reservation|soiree)\b|\bj\s?ai\s+reserve|\bnous\s+avons\s+reserve"
)
_CHILD = re.compile(rf"^(?:{CHILD_WORDS})$")
_TODDLER = re.compile(rf"^(?:{TODDLER_WORDS})$")


@dataclass(frozen=True)
class ChangeRequest:
    add_adults: int = 0
    add_children: int = 0
    add_toddlers: int = 0
    new_total: bool = False  # the party size stated is the booking's new size
    move: bool = False  # another date or time is asked for
    refers_to_booking: bool = False

    @property
    def adds_guests(self) -> bool:
        return bool(self.add_adults or self.add_children or self.add_toddlers)

    def as_dict(self) -> dict:
        return {
            "add_adults": self.add_adults,
            "add_children": self.add_children,
            "add_toddlers": self.add_toddlers,
            "new_total": self.new_total,
            "move": self.move,
            "refers_to_booking": self.refers_to_booking,
        }


def read(text: str) -> ChangeRequest | None:
    """The change the prepared `text` asks for, or None when it asks for none."""
    adults = children = toddlers = 0
    for match in _ADD.finditer(text):
        count = int(match.group(1) or match.group(3))
        noun = match.group(2) or match.group(4) or ""
        if _CHILD.match(noun):
            children += count
        elif _TODDLER.match(noun):
            toddlers += count
        elif noun or re.search(r"\b(?:more|mas|de\s+plus|en\s+plus)\b", match.group(0)):
            adults += count
    refers = bool(_BOOKING.search(text))
    change = ChangeRequest(
        add_adults=adults,
        add_children=children,
        add_toddlers=toddlers,
        new_total=bool(_NEW_TOTAL.search(text)),
        move=bool(_MOVE.search(text)),
        refers_to_booking=refers,
    )
    if change.adds_guests or change.move or (change.new_total and refers):
        return change
    return change if refers else None
