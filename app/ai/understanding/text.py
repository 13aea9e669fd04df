"""The one normal form every pattern of the understanding layer reads."""

from __future__ import annotations

import re
import unicodedata

from app.ai.features import strip_accents
from app.ai.understanding.numbers import digitize

_APOSTROPHES = re.compile(r"[’`´‘]")
# "d'enfants" -> "d enfants", "l'an" -> "l an": French elisions become words of their own.
_ELISION = re.compile(r"\b([dlj]|qu|jusqu)'")


def normalise(text: str) -> str:
    """Lower case, no accents, ordinary spaces and apostrophes (numbers still in words)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _APOSTROPHES.sub("'", strip_accents(text).lower())
    return re.sub(r"\s+", " ", text).strip()


def prepare(text: str, language: str | None) -> str:
    """`normalise`d, elisions split, numbers in words turned into digits: what the extractors read."""
    return digitize(_ELISION.sub(r"\1 ", normalise(text)), language)
