"""What managers add when they edit a draft, carried into later drafts, without parroting.

A manager who keeps appending "Our chefs bring everything!" to quote replies should not
have to type it again: the sentences they added to the closest approved reply (same
station and intent) are offered, as optional sentences, to the next draft. A sentence
is never carried over when it:
- makes a commitment (a call, a time, a refund, a discount, something free: guard.py),
- states facts (digits, money, dates, weekdays, times of day) or names the earlier
  customer: those belong to another conversation,
- is in another language than the reply, or needs a channel this one lacks ("call" or
  "text" where we have no phone number: web chat, Instagram).
The draft itself still passes the guard as a whole.
"""

from __future__ import annotations

import re

from app.ai.drafting.examples import Example
from app.ai.drafting.guard import commitment_problems, money_word_problems
from app.ai.drafting.render import first_name
from app.ai.language import detect_language
from app.ai.understanding.dates import MONTHS, WEEKDAYS
from app.ai.understanding.text import normalise

MAX_SENTENCES = 2
MAX_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_FACTS = re.compile(r"[\d$€£%]")
_GREETING_OR_SIGN_OFF = re.compile(
    r"^(?:[¡]?(?:hi|hello|hey|dear|hola|bonjour|salut)\b|—|-- |thanks,$|gracias,$|saludos,$|merci,$|cordialement,$)",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"\b(?:"
    + "|".join(list(WEEKDAYS) + [m for m in MONTHS if len(m) > 3])
    + r"|today|tomorrow|tonight|afternoon|morning"
    r"|evening|hoy|manana|tarde|noche|aujourd\s?hui|demain|soir|matin)\b"
)
_PHONE_WORDS = re.compile(r"\b(?:call|phone|text|ring|llam\w*|telefon\w*|appel\w*|textear|sms)\b")
_NO_PHONE_CHANNELS = frozenset({"webchat", "instagram"})


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text or "") if part.strip()]


def added_sentences(draft_body: str, sent_body: str) -> list[str]:
    """Sentences of what was sent that the draft did not have, in order."""
    drafted = {sentence.casefold() for sentence in _sentences(draft_body)}
    return [sentence for sentence in _sentences(sent_body) if sentence.casefold() not in drafted]


def reusable(sentence: str, *, theirs: str, language: str, channel: str) -> bool:
    """Whether a sentence a manager wrote for another customer may be offered in this reply."""
    plain = normalise(sentence)
    return not (
        len(sentence) > MAX_CHARS
        or _FACTS.search(sentence)
        or _GREETING_OR_SIGN_OFF.search(sentence)
        or (theirs and re.search(rf"\b{re.escape(theirs)}\b", sentence, re.IGNORECASE))
        or _WHEN.search(plain)
        or commitment_problems(sentence)
        or money_word_problems(sentence, {})
        or detect_language(sentence) != language
        or (channel in _NO_PHONE_CHANNELS and _PHONE_WORDS.search(plain))
    )


def learned_sentences(examples: list[Example], *, language: str, channel: str) -> tuple[list[str], int | None]:
    """The carried-over sentences and the approved draft they come from (the closest first)."""
    for example in examples:
        if not example.draft_body:
            continue  # written by hand: there was no draft to compare with
        theirs = first_name(example.contact_name)
        keep = [
            sentence
            for sentence in added_sentences(example.draft_body, example.reply)
            if reusable(sentence, theirs=theirs, language=language, channel=channel)
        ]
        if keep:
            return keep[:MAX_SENTENCES], example.draft_id
    return [], None
