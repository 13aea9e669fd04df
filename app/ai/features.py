"""Text normalisation and sparse features for the offline classifier (pure Python).

A message becomes a bag of features: word unigrams and bigrams, character n-grams of
each word (they survive typos, plurals and Spanish inflection), emojis, and a few
shape markers (SHOUTING, "!!!", "??", length). Numbers, money, times, dates, URLs and
e-mail addresses are replaced by placeholders so that "$1,200" and "$90" look alike.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter

from app.ai.concepts import concepts

_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|co|net|org|io|ly|app)(?:/\S*)?", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_MONEY = re.compile(
    r"\$\s?\d[\d,]*(?:\.\d+)?\s?k?|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|usd|bucks|dolares|dólares)\b|\b\d+\s?grand\b",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?![a-z])", re.IGNORECASE)
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")
_ORDINAL = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_APOSTROPHE = re.compile(r"[’'`´]")
_TOKEN = re.compile(r"[a-z_]+|[!?]")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
# Acronyms that are not shouting.
_NOT_SHOUTING = frozenset(
    {"ASAP", "RSVP", "HOA", "COI", "NYE", "USD", "BBQ", "DJ", "PO", "PTA", "LOL", "OMG", "TBH", "FYI"}
)


def strip_accents(text: str) -> str:
    """'Cuánto' -> 'Cuanto' (keeps ñ as n too: good enough for matching)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """Lower-case, accent-free text with placeholders for numbers, money, dates and links."""
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" _url_ ", text)
    text = _EMAIL.sub(" _email_ ", text)
    text = _MONEY.sub(" _money_ ", text)
    text = _TIME.sub(" _time_ ", text)
    text = _DATE.sub(" _date_ ", text)
    text = _ORDINAL.sub(" _ordinal_ ", text)
    text = _NUMBER.sub(" _num_ ", text)
    text = _APOSTROPHE.sub("", text)
    return strip_accents(text).lower()


def _is_symbol(ch: str) -> bool:
    """Emojis and pictographs (not letters, digits, punctuation or spaces)."""
    if ord(ch) < 0x2000 or ch.isalnum():
        return False
    return unicodedata.category(ch) in {"So", "Sk", "Sm"}


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF


def shape_features(text: str) -> list[str]:
    """Markers of tone and form that words miss."""
    marks = []
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 8 and sum(ch.isupper() for ch in letters) / len(letters) >= 0.6:
        marks.append("#shout")
    if any(word not in _NOT_SHOUTING for word in _CAPS_WORD.findall(text)):
        marks.append("#caps_word")
    if "!!" in text:
        marks.append("#multi_excl")
    if "??" in text or "?!" in text or "!?" in text:
        marks.append("#multi_q")
    words = len(text.split())
    marks.append("#len_short" if words <= 3 else "#len_long" if words >= 40 else "#len_mid")
    return marks


def tokens(normalized: str) -> list[str]:
    return _TOKEN.findall(normalized)


def extract(text: str, *, char_ngrams: tuple[int, int] = (3, 5)) -> Counter[str]:
    """Raw feature counts of one message."""
    norm = normalize(text)
    words = tokens(norm)
    feats: Counter[str] = Counter()
    # Concepts count twice: they carry what one language's examples teach to the other two.
    for concept in concepts(strip_accents(unicodedata.normalize("NFKC", text)).lower(), text):
        feats[concept] += 2
    for word in words:
        feats["w:" + word] += 1
    for first, second in itertools.pairwise(words):
        feats["b:" + first + " " + second] += 1
    low, high = char_ngrams
    for word in words:
        if len(word) < 2 or word.startswith("_"):
            continue
        padded = f"<{word}>"
        for size in range(low, high + 1):
            for start in range(len(padded) - size + 1):
                feats["c:" + padded[start : start + size]] += 1
    for ch in text:
        if _is_symbol(ch):
            feats["e:" + ch] += 1
        elif _is_cjk(ch):
            feats["k:" + ch] += 1
    for mark in shape_features(text):
        feats[mark] += 1
    if not feats or all(key.startswith(("#", "~")) for key in feats):
        feats["#empty"] += 1
    return feats
