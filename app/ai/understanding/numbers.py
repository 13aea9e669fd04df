"""Numbers written in words, in English, Spanish and French, turned into digits.

    digitize("veinticinco adultos y una docena de ninos") -> "25 adultos y 12 de ninos"

Input is normalised text (lower case, no accents: `text.normalise()`), so "dieciséis"
arrives as "dieciseis". An article alone ("a", "un", "una", "une", "one") is never
read as 1: "para una fiesta" is not a party of one. We wrote this rather than take a
library (measurements in app/ai/understanding/__init__.py): number-parser reads
"una fiesta" as "1 fiesta" and has no French; word2number is English only.
"""

from __future__ import annotations

import re

_EN = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "one": 1, "and": 0,
}  # fmt: skip
_ES = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17,
    "dieciocho": 18, "diecinueve": 19, "veintiuno": 21, "veintiun": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
    "veintinueve": 29,
    "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "uno": 1, "un": 1, "una": 1, "y": 0,
}  # fmt: skip
_FR = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "cent": 100, "cents": 100, "un": 1, "une": 1, "et": 0,
}  # fmt: skip
# Words that mean something else in another of the languages ("once we know", "sept 18", "25 cents"):
# read as numbers only when the message is known to be in the language that has them.
_AMBIGUOUS = {"once", "sept", "cent", "cents", "six"}
TENS = {w for table in (_EN, _ES, _FR) for w, v in table.items() if v in range(20, 100, 10) and len(w) > 4}
HUNDREDS = {"hundred", "cien", "ciento", "cent", "cents"}
ONES = {"one", "un", "une", "uno", "una"}
JOINERS = {"and", "y", "et"}
_FRENCH_TEENS = {"dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"}
_UNIT_VALUES = {**_EN, **_ES, **_FR}


def _table(language: str | None) -> dict[str, int]:
    if language == "en":
        return _EN
    if language == "es":
        return _ES
    if language == "fr":
        return _FR
    merged = {**_EN, **_ES, **_FR}
    return {word: value for word, value in merged.items() if word not in _AMBIGUOUS or word == "six"}


def _sequence_pattern(table: dict[str, int]) -> re.Pattern[str]:
    words = "|".join(sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{words})(?:[\s-]+(?:{words}))*\b")


_PATTERNS = {language: _sequence_pattern(_table(language)) for language in ("en", "es", "fr", None)}

# Groups: a dozen is 12; the French "-aine" words are approximate counts that people use as counts.
_GROUPS = {
    "dozen": 12, "docena": 12, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "centaine": 100,
}  # fmt: skip
_GROUP = "(" + "|".join(_GROUPS) + r")s?"
_COUNTED_GROUP = re.compile(rf"\b(\d{{1,2}})\s+{_GROUP}\b")
_HALF_DOZEN = re.compile(r"\b(?:half\s+a|media|une\s+demi-?|a\s+demi-?)\s*(?:dozen|docena|douzaine)\b")
_ARTICLE_GROUP = re.compile(rf"\b(?:(?:a|an|una|une|un)\s+)?{_GROUP}\b")


def _follows(previous: str, word: str) -> bool:
    """Whether `word` continues a number that ends with `previous` ("twenty" then "five": yes)."""
    if word in HUNDREDS:
        return previous not in TENS and previous not in HUNDREDS
    if previous in HUNDREDS:
        return word not in HUNDREDS
    if word.startswith("vingt") and previous == "quatre":  # quatre-vingts
        return True
    if previous in ("soixante", "vingt", "vingts") and word in _FRENCH_TEENS:  # soixante-dix, quatre-vingt-douze
        return True
    if previous == "dix" and word in ("sept", "huit", "neuf"):  # dix-sept
        return True
    return previous in TENS and word not in TENS and word not in HUNDREDS and _UNIT_VALUES.get(word, 1) < 10


def _value(words: list[str], table: dict[str, int]) -> int:
    total = 0
    for word in words:
        if word in HUNDREDS:
            total = max(total, 1) * 100
        elif word.startswith("vingt") and total % 100 == 4:  # quatre-vingt(s): 4 x 20
            total += 76
        else:
            total += table[word]
    return total


def _numbers_in(sequence: str, table: dict[str, int]) -> list[str | int]:
    """Split a run of number words into numbers and the words between them ("two and three": [2, 'and', 3])."""
    parts: list[str | int] = []
    current: list[str] = []
    pending_joiner: str | None = None
    for word in re.split(r"[\s-]+", sequence):
        if word in JOINERS:
            pending_joiner = word
            continue
        if (
            current
            and _follows(current[-1], word)
            and (pending_joiner is None or current[-1] in TENS or current[-1] in HUNDREDS)
        ):
            current.append(word)
        else:
            if current:
                parts.append(_finish(current, table))
            if pending_joiner:
                parts.append(pending_joiner)
            current = [word]
        pending_joiner = None
    if current:
        parts.append(_finish(current, table))
    if pending_joiner:
        parts.append(pending_joiner)
    return parts


def _finish(words: list[str], table: dict[str, int]) -> str | int:
    """A lone article or "one" stays a word; anything else becomes its value."""
    if len(words) == 1 and words[0] in ONES:
        return words[0]
    return _value(words, table)


def digitize(text: str, language: str | None = None) -> str:
    """`text` with numbers in words replaced by digits ("twenty five" -> "25", "a dozen" -> "12").

    `language` ("en", "es", "fr") picks the words; None reads all three but the ambiguous ones.
    """
    key = language if language in ("en", "es", "fr") else None
    table = _table(key)

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in JOINERS:
            return found
        return " ".join(str(part) for part in _numbers_in(found, table))

    text = _PATTERNS[key].sub(replace, text)
    text = _HALF_DOZEN.sub("6", text)
    text = _COUNTED_GROUP.sub(lambda m: str(int(m.group(1)) * _GROUPS[m.group(2)]), text)
    return _ARTICLE_GROUP.sub(lambda m: str(_GROUPS[m.group(1)]), text)
