"""Dependency-free text matching for drafts: tokens, BM25 ranking, overlap similarity (en + es).

Knowledge-base entries and approved replies number in the tens or hundreds per
station, so ranking them in Python per draft is cheaper than keeping an index fresh.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from app.ai.understanding.text import normalise

_WORD = re.compile(r"[a-z0-9]+")

_STOP_WORD_TEXT = """
    a about after all also am an and any are as at be been but by can could did do does for from get got had has
    have hi hello hey how i i'm if im in is it its just me my of on or our please pls so than thanks thank that the
    their them then there these they this to up us was we were what when where which who will with would you your
    u ur ok okay
    al algo como con cual cuando de del el en era es esta este esto estoy fue ha hay hola la las le les lo los mas me
    mi mis muy nos o para pero por que quien se si sin sobre su sus te tu un una uno unos y ya yo gracias favor
    buenas buenos dias tardes"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


def _stem(token: str) -> str:
    """Plural and common suffix folding, enough for "allergies"/"allergy", "fechas"/"fecha"."""
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        if len(token) > 4 and token.endswith(suffix):
            return token[: -len(suffix)] + replacement
    return token


def tokens(text: str) -> list[str]:
    """Content words, accent-free and folded; stop words and single characters dropped."""
    return [_stem(t) for t in _WORD.findall(normalise(text)) if t not in STOP_WORDS and len(t) > 1]


def bm25_scores(query: str, documents: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Okapi BM25 score of each document for `query` (0 when nothing matches)."""
    docs = [Counter(tokens(doc)) for doc in documents]
    if not docs:
        return []
    average = sum(sum(d.values()) for d in docs) / len(docs) or 1.0
    frequency = Counter(term for d in docs for term in d)
    terms = set(tokens(query))
    scores = []
    for doc in docs:
        length = sum(doc.values())
        score = 0.0
        for term in terms & doc.keys():
            idf = math.log(1 + (len(docs) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            tf = doc[term]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
        scores.append(score)
    return scores


def overlap(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' content words, 0..1."""
    a, b = set(tokens(first)), set(tokens(second))
    return len(a & b) / len(a | b) if a and b else 0.0
