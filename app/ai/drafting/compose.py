"""Choose the composer: OpenAI when a key is set and the station is within its daily budget, else offline."""

from __future__ import annotations

from flask import current_app

from app.ai.drafting import DraftRequest, DraftResult
from app.ai.drafting.budget import within_budget
from app.ai.drafting.context import gather, ground_party
from app.ai.drafting.offline import compose_offline
from app.models.base import utcnow


def compose(request: DraftRequest) -> DraftResult:
    """A grounded draft for the request; raises DraftUnavailable or TransientError (see the package doc)."""
    now = utcnow()
    config = current_app.config
    if not config.get("OPENAI_API_KEY"):
        return compose_offline(gather(request, now=now))
    # The model prices and checks dates through its tools: only the facts are read up front.
    context = gather(request, now=now, with_party=False)
    if not within_budget(context.station, now):
        ground_party(context)
        return compose_offline(context, fallback="over the station's daily AI budget")
    from app.ai.drafting.openai_drafter import OpenAIDrafter  # the SDK loads only when it is used

    return OpenAIDrafter(config).compose(context)
