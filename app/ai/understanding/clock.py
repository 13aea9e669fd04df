"""Times of day in customer messages: "6pm", "7:30", "at 6", "a las 7 de la noche", "19h30", "noon".

Parties start between late morning and night, so a time written without am/pm is read
in that window: "at 6" is 18:00, "7:30" is 19:30, "11" is 11:00. Several different
times are read as a correction or a change when the message says so ("4pm... sorry
3pm", "from 3 to 6pm"): the last one counts; otherwise the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each pattern captures (hour, minutes, marker); the marker says am/pm or a part of the day.
_PATTERNS = [
    re.compile(r"(?<![\d:/$.])(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?|p\b)(?![a-z])"),
    re.compile(r"(?<![\d:/$])([01]?\d|2[0-3])\s?h\s?(\d{2})?(?![a-z\d])"),  # 19h, 19h30, 19 h
    re.compile(r"(?<![\d:/$])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])"),
    re.compile(
        r"(?:\b(?:a\s+las|a\s+la|at|around|about|by|vers|desde)|@)\s*(\d{1,2})(?::(\d{2}))?"
        r"(?:\s+(?:de\s+la|en\s+la|por\s+la|du|de\s+l|in\s+the)\s+(manana|tarde|noche|matin|soir|apres-midi|morning|afternoon|evening|night))?"
        r"(?!\s*(?:\d|/|%|\$|people|persons?|guests?|ppl|adults?|kids|personas|personnes|adultes|adultos|ninos|enfants"
        r"|miles?|mi\b|min|hours?|horas?|heures?|days?|dias|jours|weeks?|years?|ans|anos|of\b|de\s+(?:[a-z]+s)\b))"
    ),
]
_NOON = re.compile(r"\b(?:noon|midday|mediodia|medio\s+dia|midi)\b(?!\s+(?:le|el)\s)")
_CORRECTION = re.compile(r"\b(?:sorry|i\s+mean|actually|make\s+it|perdon|digo|mejor|pardon|plutot|je\s+veux\s+dire)\b")
_CHANGE = re.compile(
    r"\b(?:move|push|change|switch|instead|reschedule|mover|cambiar|pasar|en\s+vez|en\s+lugar"
    r"|deplacer|changer|decaler|avancer|reculer|au\s+lieu|from\s+\d{1,2}\s*(?:am|pm)?\s+to|de\s+\d{1,2}\s+a)\b"
)
_DAY_PARTS = [
    (
        "evening",
        re.compile(r"\b(?:evening|tonight|night|dinner|(?:en|por|de|esta)\s+la\s+noche|noche|soir|soiree|diner)\b"),
    ),
    ("afternoon", re.compile(r"\b(?:afternoon|(?:en|por|de)\s+la\s+tarde|apres-midi|apres\s+midi)\b")),
    ("midday", re.compile(r"\b(?:lunch|brunch|noon|almuerzo|mediodia|dejeuner|midi)\b")),
]
_MORNING = {"manana", "matin", "morning"}
_EVENING = {"tarde", "noche", "soir", "apres-midi", "afternoon", "evening", "night"}


@dataclass(frozen=True)
class TimeMention:
    hhmm: str
    start: int


def _hour(hour: int, minute: int, marker: str | None) -> str | None:
    if minute > 59:
        return None
    marker = (marker or "").replace(".", "").replace(" ", "")
    if marker.startswith("a") or marker in _MORNING:
        if not 1 <= hour <= 12:
            return None
        hour %= 12
    elif marker.startswith("p") or marker in _EVENING:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + 12
    elif 1 <= hour <= 10:
        hour += 12  # no party starts at 6 in the morning: "at 6" is 18:00
    elif hour > 23:
        return None
    return f"{hour:02d}:{minute:02d}"


def times(text: str) -> list[TimeMention]:
    """Every clock time in the prepared text, in order of appearance."""
    found: list[TimeMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            hour, minute, marker = match.group(1), match.group(2), match.group(3) if match.lastindex >= 3 else None
            if pattern is _PATTERNS[1]:  # 19h30: a 24-hour clock
                hhmm = (
                    f"{int(hour):02d}:{int(minute or 0):02d}"
                    if int(hour) >= 11
                    else _hour(int(hour), int(minute or 0), None)
                )
            elif pattern is _PATTERNS[2]:
                hhmm = f"{int(hour):02d}:{minute}" if int(hour) >= 11 else _hour(int(hour), int(minute), None)
            elif pattern is _PATTERNS[3] and int(hour) > 12 and not re.match(r"a\s+las|vers", match.group(0)):
                continue  # "about 20" is a head count, not 8 pm
            else:
                hhmm = _hour(int(hour), int(minute or 0), marker)
            if hhmm:
                found.append(TimeMention(hhmm, match.start()))
                taken.append(match.span())
    for match in _NOON.finditer(text):
        if not any(match.start() < end and start < match.end() for start, end in taken):
            found.append(TimeMention("12:00", match.start()))
    return sorted(found, key=lambda mention: mention.start)


def start_time(text: str) -> str | None:
    """The time the customer asks for, as "HH:MM"; None when none is stated."""
    found = times(text)
    distinct = list(dict.fromkeys(mention.hhmm for mention in found))
    if not distinct:
        return None
    if len(distinct) > 1 and (_CORRECTION.search(text) or _CHANGE.search(text)):
        return found[-1].hhmm
    return distinct[0]


def day_part(text: str) -> str | None:
    """ "evening", "afternoon" or "midday" when the message names a part of the day."""
    for name, pattern in _DAY_PARTS:
        if pattern.search(text):
            return name
    return None
