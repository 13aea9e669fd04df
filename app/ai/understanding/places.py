"""Where the party is: a ZIP code, or a town named in a travel question ("do you come out to Macon?").

A town is looked up among the towns of the station's own state (the offline ZIP
table, app.pricing.zip_table), so "Athens" near Atlanta is Athens, GA; its main ZIP then
prices the travel like any ZIP would. Only words after a travel preposition are tried
("to", "in", "hasta", "en", "jusqu'à", "à"...), so "ideal for 20 people" is not Ideal, GA.
"""

from __future__ import annotations

import re

from app.pricing.zip_table import TABLE as ZIP_TABLE
from app.pricing.zip_table import towns as towns_of_state

_ZIP_CUE = re.compile(
    r"(?:\b(?:zip(?:\s*code)?|postal(?:\s+code)?|codigo\s+postal|cp|code\s+postal|in|en|au|el|at|near|cerca\s+de)"
    r"|,\s*[a-z]{2})\s*:?\s*#?\s*(\d{5})(?:-\d{4})?\b"
)
_ANY_ZIP = re.compile(r"(?<![\d$.,/#-])(\d{5})(?:-\d{4})?(?![\d/.,-]\d|\s*(?:\$|dollars|usd|bucks|dolares|%))\b")
_STREET = re.compile(
    r"\s+(?:[a-z]+\s+){0,3}(?:st|street|ave|avenue|blvd|rd|road|dr|drive|ln|lane|way|ct|court|pkwy|hwy|calle|rue)\b"
)
_TRAVEL_PREPOSITION = re.compile(
    r"\b(?:to|in|into|out\s+to|around|near|hasta|a|en|para|jusqu\s?a|vers|dans|pres\s+de|cerca\s+de)\s+"
    r"(?=([a-z][a-z.'-]+(?:\s+[a-z][a-z.'-]+){0,2}))"
)
_STOP = {"the", "your", "our", "my", "a", "an", "el", "la", "los", "las", "le", "les", "un", "une", "una", "mi", "su"}


def zip_code(text: str) -> str | None:
    """The one 5-digit ZIP code of the prepared text (None when none or several)."""
    cued = {match.group(1) for match in _ZIP_CUE.finditer(text) if _real(match.group(1))}
    if len(cued) == 1:
        return cued.pop()
    found = {
        match.group(1)
        for match in _ANY_ZIP.finditer(text)
        if not _STREET.match(text, match.end()) and _real(match.group(1))
    }
    return found.pop() if len(found) == 1 else None


def _real(zip5: str) -> bool:
    return ZIP_TABLE.is_real(zip5)


def state_of(zip5: str) -> str | None:
    return ZIP_TABLE.state(zip5) if zip5 else None


def town(text: str, station_zip: str) -> tuple[str, str] | None:
    """(Town name as written in the list, its ZIP) for a town of the station's state named after a preposition."""
    state = state_of(station_zip)
    if not state:
        return None
    towns = towns_of_state(state)
    for match in _TRAVEL_PREPOSITION.finditer(text):
        words = [word.strip(".'") for word in match.group(1).split()]
        if words and words[0] in _STOP:
            words = words[1:]
        for size in (3, 2, 1):  # "Peachtree City" before "Peachtree"
            name = " ".join(words[:size])
            if len(words) >= size and name in towns:
                return name.title(), towns[name]
    return None
