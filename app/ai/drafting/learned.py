"""What managers add when they edit a draft, carried into later drafts of the same intent.

A manager who keeps appending "Our chefs bring everything!" to quote replies should not
have to type it again: the sentences they added to the closest approved reply (same
station and intent) are offered, as optional sentences, to the next template draft.
Only sentences with no digit or currency sign (facts are the grounding's job, never an
old reply's) and without the earlier customer's name are carried over.
"""

from __future__ import annotations

import re

from app.ai.drafting.examples import Example
from app.ai.drafting.forms import first_name

MAX_SENTENCES = 2
MAX_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_FACTS = re.compile(r"[\d$€£%]")
_GREETING_OR_SIGN_OFF = re.compile(r"^(?:[¡]?(?:hi|hello|hey|dear|hola)\b|—|-- |thanks,$|gracias,$)", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text or "") if part.strip()]


def added_sentences(draft_body: str, sent_body: str) -> list[str]:
    """Sentences of what was sent that the draft did not have, in order."""
    drafted = {sentence.casefold() for sentence in _sentences(draft_body)}
    return [sentence for sentence in _sentences(sent_body) if sentence.casefold() not in drafted]


def learned_sentences(examples: list[Example]) -> tuple[list[str], int | None]:
    """The carried-over sentences and the approved draft they come from (the closest first)."""
    for example in examples:
        if not example.draft_body:
            continue  # written by hand: there was no draft to compare with
        theirs = first_name(example.contact_name)
        keep = [
            sentence
            for sentence in added_sentences(example.draft_body, example.reply)
            if len(sentence) <= MAX_CHARS
            and not _FACTS.search(sentence)
            and not _GREETING_OR_SIGN_OFF.search(sentence)
            and not (theirs and re.search(rf"\b{re.escape(theirs)}\b", sentence, re.IGNORECASE))
        ]
        if keep:
            return keep[:MAX_SENTENCES], example.draft_id
    return [], None
