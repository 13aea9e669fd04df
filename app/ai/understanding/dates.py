# ruff: noqa: E501 - word lists read better unwrapped, one family a line
"""Dates in customer messages (English, Spanish, French), resolved against the day the message arrived.

Reads prepared text (`text.prepare`: lower case, no accents, numbers as digits). Every
mention found is a `DateMention` with how plainly it names a day (`strength`): a full
date beats a weekday with a day number, which beats a holiday, a bare day of the month
("the 14th", "el 12") and a relative day ("next Saturday", "mañana"). A date without a
year is the next such day on or after `today` (a party is planned, not remembered).

A weekday that contradicts its date ("Sunday the 26th" when the 26th is a Saturday) is
not guessed: the mention carries the conflict and the reply asks which one is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "febrero": 2, "fevrier": 2, "fevr": 2, "fev": 2,
    "march": 3, "mar": 3, "marzo": 3, "mars": 3,
    "april": 4, "apr": 4, "abril": 4, "avril": 4, "avr": 4,
    "may": 5, "mayo": 5, "mai": 5,
    "june": 6, "jun": 6, "junio": 6, "juin": 6,
    "july": 7, "jul": 7, "julio": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "agosto": 8, "aout": 8,
    "september": 9, "sept": 9, "sep": 9, "septiembre": 9, "setiembre": 9, "septembre": 9,
    "october": 10, "oct": 10, "octubre": 10, "octobre": 10,
    "november": 11, "nov": 11, "noviembre": 11, "novembre": 11,
    "december": 12, "dec": 12, "diciembre": 12, "decembre": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "mon": 0, "lunes": 0, "lundi": 0,
    "tuesday": 1, "tue": 1, "tues": 1, "martes": 1, "mardi": 1,
    "wednesday": 2, "wed": 2, "miercoles": 2, "mercredi": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "jueves": 3, "jeudi": 3,
    "friday": 4, "fri": 4, "viernes": 4, "vendredi": 4,
    "saturday": 5, "sat": 5, "sabado": 5, "samedi": 5,
    "sunday": 6, "sun": 6, "domingo": 6, "dimanche": 6,
}  # fmt: skip

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = rf"({_MONTH_WORDS})\.?"
_FULL_WEEKDAYS = "|".join(name for name in WEEKDAYS if len(name) > 4)
_WEEKDAY = "(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")s?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|er|ero|eme|o|º)?"
_YEAR = r"(?:,?\s*(?:de\s+|del\s+)?(20\d\d))?"

# What may not follow a number for it to be a day: a head count, a time, money, an age or an anniversary.
_NOT_A_DAY = (
    r"(?!\s*(?:%|\$|:|h\b|h\d|am\b|pm\b|p\b|a\.m|p\.m|de\s+(?:la|los|las|personas|ninos|adultos)\b"
    r"|(?:more\s+|mas\s+|de\s+plus\s+)?(?:people|persons?|guests?|ppl|pax|adult|kid|child|folks|employees|of\s+us"
    r"|personas?|gente|invitad|ninos?|ninas?|adultos?|personnes?|enfants?|adultes?|invites?|convives"
    r"|anniversar|birthday|bday|b-day|cumple|anniversaire|ans\b|anos\b|years?|minut|hours?|horas?|heures?)))"
)

FULL, WEEKDAY_DAY, HOLIDAY, DAY_OF_MONTH, RELATIVE = 5, 4, 3, 2, 1

_ISO = re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")
_SLASH = re.compile(r"(?<![\d/$.,])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/%])")
# "March 21st", "mar. 21", "saturday, march 21" / "21 de marzo", "le 20 decembre", "21st of March", "1er mai".
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b(?!\s*(?:%|\$|:|people|guests|adults|kids|ppl))" + _YEAR)
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:de\s+|of\s+|del\s+mes\s+de\s+)?{_MONTH}\b" + _YEAR)
# "Saturday the 13th", "sabado 12", "samedi le 9" (a month, when present, is read by the patterns above).
_WEEKDAY_DAY = re.compile(rf"\b{_WEEKDAY},?\s+(?:the\s+|el\s+|le\s+|dia\s+)?{_DAY}\b" + _NOT_A_DAY)
# "the 14th", "on the 3rd", "el 30", "el dia 12", "le 9", "del 16": a bare day of the month.
_BARE_DAY = re.compile(
    r"\b(?:(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)|(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:"
    + _MONTH_WORDS
    + r"))"
    r"|(?:el|para\s+el|del|al|le|au|pour\s+le)\s+(?:dia\s+)?(\d{1,2})(?:er|ero)?)"
    r"\b" + _NOT_A_DAY
)
_NEXT_WEEKDAY = re.compile(
    rf"\b(?:(this|next|coming|on|este|esta|el|proximo|ce|cette)\s+(?:(?:proximo|coming)\s+)?{_WEEKDAY}"
    rf"|{_WEEKDAY}\s+(prochain|que\s+viene|qui\s+vient))\b"
)
_LONE_WEEKDAY = re.compile(rf"\b({_FULL_WEEKDAYS})\b")  # "on Saturdays" is a habit, not a date
# A weekday told in the past tense is a day that was: "the chef was late on Saturday".
_PAST = re.compile(
    r"\b(?:was|were|had|came|arrived|showed|did|didn'?t|left|last|yesterday|ago|ayer|pasado|fue|llego|estuvo|hier"
    r"|dernier|derniere|etait|est\s+arrive|a\s+ete)\b|\b\w{3,}ed\b"
)
_IN_WEEKS = re.compile(r"\b(?:in|en|dans)\s+(\d{1,2})\s+(weeks?|semanas?|semaines?|days?|dias?|jours?)\b")
_TODAY = re.compile(r"\b(?:today|tonight|hoy|esta\s+noche|aujourd\s?hui|ce\s+soir)\b")
_TOMORROW = re.compile(r"\b(?:tomorrow|tmrw|tmr|tomorow|demain)\b|(?<!\bla\s)(?<!\bde\s)(?<!\bpor\s)\bmanana\b")
_AFTER_TOMORROW = re.compile(r"\b(?:day\s+after\s+tomorrow|pasado\s+manana|apres[\s-]demain)\b")
_OBSERVED = re.compile(r"\b(?:observed|feriado|ferie)\b")

# Holiday names -> the `holidays` package's English name (US calendar, public and unofficial).
_HOLIDAYS = [
    (r"new\s*year'?s\s+eve|\bnye\b|nochevieja|vispera\s+de\s+ano\s+nuevo|saint[\s-]sylvestre"
     r"|reveillon\s+du\s+(?:nouvel\s+an|jour\s+de\s+l\s?an)", "New Year's Eve"),
    (r"new\s*year'?s(?:\s+day)?|\bano\s+nuevo\b|jour\s+de\s+l\s?an|premier\s+de\s+l\s?an|nouvel\s+an", "New Year's Day"),
    (r"christmas\s+eve|xmas\s+eve|noche\s?buena|reveillon\s+de\s+noel|veille\s+de\s+noel", "Christmas Eve"),
    (r"christmas|\bxmas\b|navidad|\bnoel\b", "Christmas Day"),
    (r"thanksgiving|accion\s+de\s+gracias|action\s+de\s+graces?", "Thanksgiving Day"),
    (r"memorial\s+day", "Memorial Day"),
    (r"labou?r\s+day", "Labor Day"),
    (r"(?:4th|fourth|4)\s+of\s+july|independence\s+day|4\s+de\s+julio|dia\s+de\s+la\s+independencia", "Independence Day"),
    (r"\bmlk\b|martin\s+luther\s+king", "Martin Luther King Jr. Day"),
    (r"president'?s'?\s+day|washington'?s\s+birthday", "Washington's Birthday"),
    (r"juneteenth", "Juneteenth National Independence Day"),
    (r"columbus\s+day", "Columbus Day"),
    (r"veterans'?\s+day", "Veterans Day"),
    (r"valentine'?s?|san\s+valentin|dia\s+de\s+(?:los\s+enamorados|san\s+valentin)|saint[\s-]valentin", "Valentine's Day"),
    (r"mother'?s'?\s+day|dia\s+de\s+(?:las|la)\s+madres?|fete\s+des\s+meres", "Mother's Day"),
    (r"father'?s'?\s+day|dia\s+del\s+padre|fete\s+des\s+peres", "Father's Day"),
    (r"halloween", "Halloween"),
    (r"easter|domingo\s+de\s+(?:pascua|resurreccion)|\bpascua\b|\bpaques\b", "Easter Sunday"),
    (r"good\s+friday|viernes\s+santo|vendredi\s+saint", "Good Friday"),
    (r"st\.?\s+patrick'?s|saint\s+patrick'?s|st\.?\s+paddy'?s", "Saint Patrick's Day"),
]  # fmt: skip
_HOLIDAY_PATTERNS = [(re.compile(rf"(?:{pattern})"), name) for pattern, name in _HOLIDAYS]


@dataclass(frozen=True)
class DateMention:
    day: date | None  # None when the mention contradicts itself (see `conflict`)
    strength: int
    start: int  # position in the prepared text: lets callers tell "from X" from "to Y"
    conflict: tuple[int, date] | None = None  # (the weekday written, the date written)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def upcoming(month: int, day: int, today: date) -> date | None:
    """The next `month/day` on or after today."""
    this_year = _valid(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _valid(today.year + 1, month, day)


def next_day_of_month(day: int, today: date) -> date | None:
    """The next date whose day of the month is `day` ("the 31st" skips months without one)."""
    year, month = today.year, today.month
    for _ in range(13):
        candidate = _valid(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def next_weekday(weekday: int, today: date, *, allow_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not allow_today:
        ahead = 7
    return today + timedelta(days=ahead)


@lru_cache(maxsize=16)
def _holidays(year: int) -> dict[str, list[date]]:
    """Holiday name -> dates (the day itself and any observed day) of the US calendar for `year`."""
    from holidays.countries.united_states import UnitedStates  # 0.2 s and 19 MB: only when a holiday is named

    calendar = UnitedStates(years=year, categories=("public", "unofficial", "half_day"))
    by_name: dict[str, list[date]] = {}
    for day, names in sorted(calendar.items()):
        for name in names.split("; "):
            by_name.setdefault(name, []).append(day)
    return by_name


def holiday_date(name: str, today: date, *, observed: bool = False) -> date | None:
    """The next date of the holiday `name` on or after today (its observed date when asked for one)."""
    for year in (today.year, today.year + 1):
        days = _holidays(year)
        wanted = days.get(f"{name} (observed)") if observed else None
        for day in wanted or days.get(name, []):
            if day >= today:
                return day
    return None


def _with_year(month: int, day: int, year: str | None, today: date) -> date | None:
    if not year:
        return upcoming(month, day, today)
    return _valid(int(year), month, day)


def _slash(match: re.Match[str], today: date, language: str) -> date | None:
    first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if year and len(year) == 2:
        year = "20" + year
    if first > 12 >= second:
        month, day = second, first
    elif second > 12 >= first:
        month, day = first, second
    elif language in ("es", "fr") and first != second:
        return None  # 3/4 is March 4 in the US and 3 April in Spanish and French: ask
    else:
        month, day = first, second
    return _with_year(month, day, year, today)


def _checked(day: date | None, weekday: int | None, strength: int, start: int) -> DateMention:
    """A mention, or a conflicting one when its weekday is not the date's."""
    if day is not None and weekday is not None and day.weekday() != weekday:
        return DateMention(None, strength, start, conflict=(weekday, day))
    return DateMention(day, strength, start)


def _weekday_before(text: str, start: int) -> tuple[int | None, int]:
    """The weekday written just before a date ("Saturday, March 21": 5), and where it starts."""
    window = max(0, start - 16)
    match = re.search(rf"\b{_WEEKDAY},?\s+(?:the\s+|el\s+|le\s+)?$", text[window:start])
    return (WEEKDAYS[match.group(1)], window + match.start()) if match else (None, start)


def mentions(text: str, today: date, language: str = "en") -> list[DateMention]:
    """Every date the prepared `text` names, in order of appearance."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(mention: DateMention, span: tuple[int, int]) -> None:
        if any(span[0] < end and start < span[1] for start, end in taken):
            return  # already read as a stronger kind
        taken.append(span)
        found.append(mention)

    observed = bool(_OBSERVED.search(text))
    if observed:  # "July 4th, observed": the holiday's observed day, not the date as written
        for pattern, name in _HOLIDAY_PATTERNS:
            for match in pattern.finditer(text):
                add(DateMention(holiday_date(name, today, observed=True), HOLIDAY, match.start()), match.span())
    for match in _ISO.finditer(text):
        add(DateMention(_valid(*(int(g) for g in match.groups())), FULL, match.start()), match.span())
    for pattern, order in ((_MONTH_DAY, (1, 2, 3)), (_DAY_MONTH, (2, 1, 3))):
        for match in pattern.finditer(text):
            month, day, year = (match.group(i) for i in order)
            resolved = _with_year(MONTHS[month], int(day), year, today)
            weekday, start = _weekday_before(text, match.start())
            add(_checked(resolved, weekday, FULL, match.start()), (start, match.end()))
    for match in _SLASH.finditer(text):
        if (
            match.group(2) in ("5", "10")
            and int(match.group(1)) <= 11
            and not re.search(r"\b(?:on|for|the|el|le|del|au)\s+$", text[: match.start()])
        ):
            continue  # "10/10", "5/5": a rating
        resolved = _slash(match, today, language)
        weekday, start = _weekday_before(text, match.start())
        add(_checked(resolved, weekday, FULL, match.start()), (start, match.end()))
    for match in _WEEKDAY_DAY.finditer(text):
        weekday, day = WEEKDAYS[match.group(1)], int(match.group(2))
        add(_checked(next_day_of_month(day, today), weekday, WEEKDAY_DAY, match.start()), match.span())
    for pattern, name in _HOLIDAY_PATTERNS:
        for match in pattern.finditer(text):
            add(DateMention(holiday_date(name, today, observed=observed), HOLIDAY, match.start()), match.span())
    for match in _BARE_DAY.finditer(text):
        day = int(next(group for group in match.groups() if group))
        if 1 <= day <= 31:
            add(DateMention(next_day_of_month(day, today), DAY_OF_MONTH, match.start()), match.span())
    found += _relative(text, today, taken)
    return sorted(found, key=lambda mention: mention.start)


def _relative(text: str, today: date, taken: list[tuple[int, int]]) -> list[DateMention]:
    """ "tomorrow", "next Saturday", "in two weeks", "Saturday": days counted from today."""
    found = []

    def free(span: tuple[int, int]) -> bool:
        return not any(span[0] < end and start < span[1] for start, end in taken)

    for match in _AFTER_TOMORROW.finditer(text):
        found.append(DateMention(today + timedelta(days=2), RELATIVE, match.start()))
        taken.append(match.span())
    for pattern, days in ((_TOMORROW, 1), (_TODAY, 0)):
        for match in pattern.finditer(text):
            if free(match.span()):
                found.append(DateMention(today + timedelta(days=days), RELATIVE, match.start()))
                taken.append(match.span())
    for match in _IN_WEEKS.finditer(text):
        count, unit = int(match.group(1)), match.group(2)
        days = count * 7 if unit.startswith(("week", "seman")) else count
        found.append(DateMention(today + timedelta(days=days), RELATIVE, match.start()))
        taken.append(match.span())
    for match in _NEXT_WEEKDAY.finditer(text):
        if not free(match.span()) or (match.group(1) in ("on", "el") and _PAST.search(text)):
            continue
        name = match.group(2) or match.group(3)
        this = match.group(1) in ("this", "este", "esta", "ce", "cette")
        found.append(DateMention(next_weekday(WEEKDAYS[name], today, allow_today=this), RELATIVE, match.start()))
        taken.append(match.span())
    if _PAST.search(text):
        return found  # "on Saturday" in a story about the party is a day that was
    weeks_ahead = next((m for m in found if m.strength == RELATIVE and (m.day - today).days >= 7), None)
    for match in _LONE_WEEKDAY.finditer(text):
        if not free(match.span()):
            continue
        weekday = WEEKDAYS[match.group(1)]
        if weeks_ahead is not None:
            # "in two weeks, Friday": that Friday, not this one.
            found.remove(weeks_ahead)
            anchor = weeks_ahead.day - timedelta(days=3)
            found.append(DateMention(next_weekday(weekday, anchor, allow_today=True), RELATIVE, weeks_ahead.start))
            weeks_ahead = None
        else:
            found.append(DateMention(next_weekday(weekday, today, allow_today=False), RELATIVE, match.start()))
        taken.append(match.span())
    return found
