"""What a customer's message states: party size, event date, ZIP code, time of day (en + es).

Pure functions. Each extractor answers None when the text does not say it plainly:
a draft that asks "which date?" costs a message, a draft that guesses a date costs a
booking. Relative dates ("tomorrow", "next Saturday") are read against `today`, the
station-local date on which the message was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from app.ai.features import strip_accents


@dataclass(frozen=True)
class Facts:
    guests: int | None = None  # everyone, toddlers included
    adults: int | None = None  # None when the customer gave only a head count
    children: int | None = None
    toddlers: int | None = None
    event_date: date | None = None
    zip_code: str | None = None
    time_of_day: str | None = None  # "HH:MM", station-local

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event_date"] = self.event_date.isoformat() if self.event_date else None
        return data


_NUMBER_WORDS = {
    **dict.fromkeys(("one", "uno", "una"), 1),
    **dict.fromkeys(("two", "dos"), 2),
    **dict.fromkeys(("three", "tres"), 3),
    **dict.fromkeys(("four", "cuatro"), 4),
    **dict.fromkeys(("five", "cinco"), 5),
    **dict.fromkeys(("six", "seis"), 6),
    **dict.fromkeys(("seven", "siete"), 7),
    **dict.fromkeys(("eight", "ocho"), 8),
    **dict.fromkeys(("nine", "nueve"), 9),
    **dict.fromkeys(("ten", "diez"), 10),
    **dict.fromkeys(("eleven", "once"), 11),
    **dict.fromkeys(("twelve", "doce", "dozen"), 12),
    **dict.fromkeys(("fifteen", "quince"), 15),
    **dict.fromkeys(("twenty", "veinte"), 20),
    **dict.fromkeys(("thirty", "treinta"), 30),
    **dict.fromkeys(("forty", "cuarenta"), 40),
    **dict.fromkeys(("fifty", "cincuenta"), 50),
}
_COUNT = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_ADULT_WORDS = r"adults?|adultos?|grown[- ]?ups?|mayores"
_CHILD_WORDS = r"kids?|children|child|ninos?|ninas?|menores|chicos"
_TODDLER_WORDS = r"toddlers?|babies|baby|infants?|bebes?"
_GUEST_WORDS = r"people|persons?|guests?|ppl|pax|folks|personas?|invitados?|gente|comensales"
_ADULTS = re.compile(rf"\b{_COUNT}\s+(?:{_ADULT_WORDS})\b")
_CHILDREN = re.compile(rf"\b{_COUNT}\s+(?:little\s+|small\s+|pequenos\s+)?(?:{_CHILD_WORDS})\b")
_TODDLERS = re.compile(rf"\b{_COUNT}\s+(?:{_TODDLER_WORDS})\b")
_GUESTS = re.compile(
    rf"\b{_COUNT}\s+(?:{_GUEST_WORDS})\b"
    rf"|\b(?:party|group|table|grupo|fiesta|mesa)\s+(?:of|for|de|para)\s+{_COUNT}\b"
    rf"|\b(?:para|somos)\s+{_COUNT}\b(?!\s*(?:de|:|/|am|pm|h\b))"
)

_MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "february": 2, "feb": 2, "febrero": 2, "march": 3, "mar": 3, "marzo": 3,
    "april": 4, "apr": 4, "abril": 4, "may": 5, "mayo": 5, "june": 6, "jun": 6, "junio": 6, "july": 7, "jul": 7,
    "julio": 7, "august": 8, "aug": 8, "agosto": 8, "september": 9, "sept": 9, "sep": 9, "septiembre": 9,
    "setiembre": 9, "october": 10, "oct": 10, "octubre": 10, "november": 11, "nov": 11, "noviembre": 11,
    "december": 12, "dec": 12, "diciembre": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?:de\s+|del\s+)?(\d{4}))?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH_DATE = re.compile(r"(?<![\d/$])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}")
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:de\s+|of\s+)?{_MONTH}\b{_YEAR}")

_WEEKDAYS = {
    "monday": 0, "mon": 0, "lunes": 0, "tuesday": 1, "tue": 1, "tues": 1, "martes": 1, "wednesday": 2, "wed": 2,
    "miercoles": 2, "thursday": 3, "thu": 3, "thurs": 3, "jueves": 3, "friday": 4, "fri": 4, "viernes": 4,
    "saturday": 5, "sat": 5, "sabado": 5, "sunday": 6, "sun": 6, "domingo": 6,
}  # fmt: skip
_WEEKDAY = "(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + ")"
# "this Friday", "next Saturday", "on Sunday", "este viernes", "el proximo sabado", "el sabado que viene".
_NAMED_WEEKDAY = re.compile(
    rf"\b(this|next|coming|on|este|esta|proximo|el)\s+(?:(?:proximo|coming)\s+)?{_WEEKDAY}\b(\s+que viene)?"
)
_TOMORROW = re.compile(r"\btomorrow\b|(?<!\bla )(?<!\blas )\bmanana\b")
_TODAY = re.compile(r"\b(?:today|tonight|hoy|esta noche)\b")

_ZIP = re.compile(r"(?<![\d$.,/-])(\d{5})(?![\d/]|[.,]\d|\s*(?:dollars|usd|bucks|dolares))")

_CLOCK = re.compile(r"(?<![\d:/])(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])")
_24H = re.compile(r"(?<![\d:/$])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?!\s*(?:a\.?m|p\.?m))")
_SPANISH_HOUR = re.compile(r"\ba las (\d{1,2})(?::(\d{2}))?\s*(?:de la|en la|por la)\s+(manana|tarde|noche)\b")
_NOON = re.compile(r"\b(?:noon|mediodia|medio dia)\b")


def normalise(text: str) -> str:
    """Lower case, no accents, ordinary spaces: the form every pattern here expects."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", " ", strip_accents(text).lower().replace("’", "'"))


def _count(token: str) -> int | None:
    value = int(token) if token.isdigit() else _NUMBER_WORDS.get(token)
    return value if value and 0 < value <= 500 else None


def _first_count(pattern: re.Pattern[str], text: str) -> int | None:
    for match in pattern.finditer(text):
        token = next(group for group in match.groups() if group)
        value = _count(token)
        if value is not None:
            return value
    return None


def party_size(text: str) -> tuple[int | None, int | None, int | None, int | None]:
    """(guests, adults, children, toddlers); None where the text does not say."""
    text = normalise(text)
    adults = _first_count(_ADULTS, text)
    children = _first_count(_CHILDREN, text)
    toddlers = _first_count(_TODDLERS, text)
    total = _first_count(_GUESTS, text)
    named = sum(n or 0 for n in (adults, children, toddlers))
    if adults is not None:
        # "10 adults and 4 kids" is the whole party; "20 guests, 10 adults" keeps the larger head count.
        return max(total or 0, named), adults, children, toddlers
    if total is not None and (children or toddlers):
        # "12 people including 3 kids": the rest are adults.
        rest = total - (children or 0) - (toddlers or 0)
        return (total, rest, children, toddlers) if rest > 0 else (None, None, None, None)
    return total, None, children, toddlers


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(month: int, day: int, today: date) -> date | None:
    """The next `month/day` on or after today (a party is planned, not remembered)."""
    this_year = _valid(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _valid(today.year + 1, month, day)


def _with_year(month: int, day: int, year: str | None, today: date) -> date | None:
    if not year:
        return _upcoming(month, day, today)
    full = int(year) + 2000 if len(year) == 2 else int(year)
    return _valid(full, month, day)


def _slash_date(match: re.Match[str], today: date, language: str) -> date | None:
    first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if first > 12 >= second:
        month, day = second, first
    elif second > 12 >= first:
        month, day = first, second
    elif language == "es" and first != second:
        return None  # 3/4 is March 4 in the US and 3 April in most Spanish-speaking countries
    else:
        month, day = first, second
    return _with_year(month, day, year, today)


def _weekday_date(match: re.Match[str], today: date) -> date:
    """The next such weekday after today; "this Friday" on a Friday is today."""
    lead, weekday = match.group(1), _WEEKDAYS[match.group(2)]
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and lead not in ("this", "este", "esta"):
        ahead = 7
    return today + timedelta(days=ahead)


def event_date(text: str, today: date, language: str = "en") -> date | None:
    """The date the customer asks about, or None when none is stated or it is ambiguous."""
    text = normalise(text)
    found: set[date] = set()
    for match in _ISO_DATE.finditer(text):
        found.add(_valid(*(int(g) for g in match.groups())))
    for match in _MONTH_DAY.finditer(text):
        found.add(_with_year(_MONTHS[match.group(1)], int(match.group(2)), match.group(3), today))
    for match in _DAY_MONTH.finditer(text):
        found.add(_with_year(_MONTHS[match.group(2)], int(match.group(1)), match.group(3), today))
    for match in _SLASH_DATE.finditer(text):
        found.add(_slash_date(match, today, language))
    if not found:
        for match in _NAMED_WEEKDAY.finditer(text):
            found.add(_weekday_date(match, today))
        if "pasado manana" in text:
            found.add(today + timedelta(days=2))
        elif _TOMORROW.search(text):
            found.add(today + timedelta(days=1))
        if _TODAY.search(text):
            found.add(today)
    found.discard(None)
    # Two different dates ("the 14th or the 21st?"): let a person ask which one.
    return found.pop() if len(found) == 1 else None


def zip_code(text: str) -> str | None:
    """A 5-digit US ZIP code when exactly one is mentioned."""
    found = {match.group(1) for match in _ZIP.finditer(normalise(text))}
    return found.pop() if len(found) == 1 else None


def time_of_day(text: str) -> str | None:
    """A stated clock time as "HH:MM" ("6pm", "6:30 p.m.", "18:00", "a las 6 de la tarde", "noon")."""
    text = normalise(text)
    match = _CLOCK.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if match.group(3).startswith("p") else 0)
        return f"{hour:02d}:{minute:02d}"
    match = _SPANISH_HOUR.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        if match.group(3) != "manana" and hour < 12:
            hour += 12
        return f"{hour:02d}:{minute:02d}"
    match = _24H.search(text)
    if match:
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if _NOON.search(text):
        return "12:00"
    return None


def extract(text: str, today: date, language: str = "en") -> Facts:
    """Every fact stated in one message."""
    guests, adults, children, toddlers = party_size(text)
    return Facts(
        guests=guests,
        adults=adults,
        children=children,
        toddlers=toddlers,
        event_date=event_date(text, today, language),
        zip_code=zip_code(text),
        time_of_day=time_of_day(text),
    )


def merge(newest: Facts, earlier: Iterable[Facts]) -> Facts:
    """The newest message's facts, gaps filled from earlier messages (newest first).

    The party is taken whole from one message: "12 people" today and "3 kids" last week
    do not add up to anything the customer said.
    """
    merged = newest
    for older in earlier:
        updates: dict[str, Any] = {}
        if merged.guests is None and older.guests is not None:
            updates.update(guests=older.guests, adults=older.adults, children=older.children, toddlers=older.toddlers)
        for name in ("event_date", "zip_code", "time_of_day"):
            if getattr(merged, name) is None and getattr(older, name) is not None:
                updates[name] = getattr(older, name)
        if updates:
            merged = Facts(**{**asdict(merged), **updates})
    return merged
