"""The offline composer: templates filled from the grounding, or a close approved reply reused.

Always available (no key, no network, no budget). Candidates are tried in order and the
first whose every number passes the numbers guard wins: a reused approved reply, the
templates with the knowledge-base answer woven in, the bare templates. Sentences the
manager added to the closest approved reply are carried into the templates (learned.py).
"""

from __future__ import annotations

import re

from app.ai.drafting import DraftResult
from app.ai.drafting.context import DraftContext
from app.ai.drafting.examples import Example
from app.ai.drafting.forms import FORMS, first_name, greeting, render
from app.ai.drafting.learned import learned_sentences
from app.ai.drafting.numbers import numbers_grounded
from app.ai.drafting.templates import Part, best_knowledge, content

GENERATOR = "offline-templates-1"
# Jaccard overlap of the two customers' messages above which the earlier reply is reused.
REUSE_SIMILARITY = 0.5
# Replies that only state policy or FAQ answers: the same words fit the same question. Replies
# about a party (prices, dates) depend on facts a reused text would silently get wrong.
REUSABLE_INTENTS = frozenset({"general_faq", "menu_dietary", "payment", "cancellation", "feedback", "other"})
# "Hi Maria,\n\n" on its own line (email) or "Hi! " / "¡Hola Maria! " leading a chat reply.
_GREETING = re.compile(
    r"^[¡]?(hi|hello|hey|dear|hola|buenas|buenos)\b(?:[^\n]*\n+|[^.!?,:\n]{0,30}[.!?,:]\s*)", re.IGNORECASE
)


def compose_offline(context: DraftContext, *, fallback: str | None = None) -> DraftResult:
    """A draft from templates (or an approved example); `fallback` says why OpenAI was not used."""
    grounding = context.grounding()
    if fallback:
        grounding["fallback"] = fallback
    hit = best_knowledge(context)
    if hit is not None:
        grounding["knowledge_quoted"] = {"id": hit.id, "answer": hit.answer}
    learned, learned_from = ([], None) if context.escalated else learned_sentences(context.examples)
    if learned:
        grounding["learned"] = {"from_draft": learned_from, "sentences": learned}
    candidates = [(_reuse(context, example), {"reused_example": example.draft_id}) for example in _reusable(context)]
    candidates.append((_templates(context, with_knowledge=True, learned=learned), {}))
    candidates.append((_templates(context, with_knowledge=False, learned=learned), {"knowledge_quoted": None}))
    inbound = context.request.inbound_text
    for body, notes in candidates:
        if body and not numbers_grounded(body, {**grounding, **notes}, inbound):
            grounding.update(notes)
            return DraftResult(body=body, generator=GENERATOR, grounding=grounding)
    # Unreachable unless a template prints a number it was not given: still a draft, flagged for the manager.
    body = candidates[-1][0]
    grounding["ungrounded_numbers"] = numbers_grounded(body, grounding, inbound)
    return DraftResult(body=body, generator=GENERATOR, grounding=grounding)


def _templates(context: DraftContext, *, with_knowledge: bool, learned: list[str]) -> str:
    # Learned sentences are optional (never before an essential fact) but come first among the
    # optional ones: the manager asked for them by adding them.
    extra = [Part(sentence, essential=False, priority=1) for sentence in learned]
    return render(
        content(context, with_knowledge=with_knowledge) + extra,
        channel=context.channel,
        language=context.language,
        customer_name=context.request.customer_name,
        station_name=context.station.name,
        phone=context.station.phone,
        sorry=context.escalated,
    )


def _reusable(context: DraftContext) -> list[Example]:
    """The close examples, best first, when the intent's answer does not depend on the party."""
    if context.escalated or context.request.intent not in REUSABLE_INTENTS:
        return []
    return [example for example in context.examples if example.similarity >= REUSE_SIMILARITY]


def _reuse(context: DraftContext, example: Example) -> str | None:
    """The approved reply with this customer's greeting; None when it cannot be made to fit."""
    body = _GREETING.sub("", example.reply.strip()).strip()
    theirs, ours = first_name(example.contact_name), first_name(context.request.customer_name)
    if theirs and re.search(rf"\b{re.escape(theirs)}\b", body):
        return None  # the earlier customer's name runs through the text: not ours to send
    form = FORMS.get(context.channel, FORMS["webchat"])
    if form.greeting:
        separator = "\n\n" if form.paragraphs else " "
        body = greeting(context.language, context.channel, ours, sorry=False) + separator + body
    if len(body) > form.limit:
        return None
    return body
