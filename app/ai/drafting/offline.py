"""The offline composer: the whole pipeline, top to bottom, with no key, no network and no budget.

    understand -> ground   (context.gather: done before this is called)
    -> plan                (plan.plan: the parts the reply needs)
    -> render              (render.render: language, channel form, length)
    -> guard               (guard.problems: amounts, percentages, money words, commitments)

Sentences a manager added to the closest approved reply are offered to the render
(learned.py); a candidate with them is tried first, then one without. The first
candidate that passes the guard is the draft. Should none pass (a template printing
what it was not given: a bug), the draft is still written and held with the reasons.
"""

from __future__ import annotations

from app.ai.drafting import DraftResult
from app.ai.drafting.context import DraftContext
from app.ai.drafting.guard import problems
from app.ai.drafting.learned import learned_sentences
from app.ai.drafting.plan import Part, plan
from app.ai.drafting.render import render

GENERATOR = "offline-pipeline-2"


def compose_offline(context: DraftContext, *, fallback: str | None = None) -> DraftResult:
    """A draft from the plan; `fallback` says why OpenAI was not used."""
    grounding = context.grounding()
    if fallback:
        grounding["fallback"] = fallback
    parts = plan(context)
    learned, learned_from = ([], None)
    if not context.escalated:
        learned, learned_from = learned_sentences(context.examples, language=context.language, channel=context.channel)
    candidates = [_render(context, parts, learned)] if learned else []
    candidates.append(_render(context, parts, []))
    inbound = context.request.inbound_text
    for number, body in enumerate(candidates):
        found = problems(body, grounding, inbound, context.language)
        if not found:
            if learned and number == 0:
                grounding["learned"] = {"from_draft": learned_from, "sentences": learned}
            return DraftResult(body=body, generator=GENERATOR, grounding=grounding)
    grounding["held"] = found
    return DraftResult(body=candidates[-1], generator=GENERATOR, grounding=grounding)


def _render(context: DraftContext, parts: list[Part], learned: list[str]) -> str:
    # Learned sentences are optional (never before an essential fact) but come first among the
    # optional ones: the manager asked for them by adding them.
    extra = [Part(sentence, essential=False, priority=1) for sentence in learned]
    return render(
        parts + extra,
        channel=context.channel,
        language=context.language,
        customer_name=context.request.customer_name,
        station_name=context.station.name,
        phone=context.station.phone,
        sorry=context.escalated,
    )
