"""Choose the composer: OpenAI when a key is set and the station is within its daily budget, else offline."""

from __future__ import annotations

from flask import current_app

from app.ai.drafting import DraftRequest, DraftResult
from app.ai.drafting.budget import within_budget
from app.ai.drafting.context import finish_grounding, gather
from app.ai.drafting.offline import compose_offline
from app.models.base import utcnow


def compose(request: DraftRequest, *, offline: bool = False) -> DraftResult:
    """A grounded draft for the request; raises DraftUnavailable (see the package doc).

    `offline=True` (the `flask ai draft` command) never calls OpenAI, key or not.
    """
    now = utcnow()
    config = current_app.config
    if offline or not config.get("OPENAI_API_KEY"):
        return compose_offline(gather(request, now=now))
    # The model prices and checks dates through its tools: only the facts are read up front.
    context = gather(request, now=now, with_party=False)
    if not within_budget(context.station, now):
        finish_grounding(context)
        return compose_offline(context, fallback="over the station's daily AI budget")
    from app.ai.drafting.openai_drafter import OpenAIDrafter  # the SDK loads only when it is used

    return OpenAIDrafter(config).compose(context)
