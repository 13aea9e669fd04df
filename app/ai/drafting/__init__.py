"""Reply drafts: grounded in the station's prices, availability and knowledge base.

    result = compose(DraftRequest(...))   # -> DraftResult; raises DraftUnavailable / TransientError

The job in app.conversations.jobs builds the request from plain values (no ORM rows
cross this line) and stores the result on the Draft row.

Modules: compose (picks a composer), context (gathers the grounding once), facts (party
size, date, ZIP, time from the text), grounding (quote, availability, knowledge search:
the tools), knowledge and examples (retrieval over textmatch), numbers (the guard both
composers pass), offline with templates, phrases and forms (the offline composer),
openai_drafter with prompts (the OpenAI composer), budget (each station's daily spend).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ThreadLine:
    direction: str  # in | out
    body: str
    at: datetime


@dataclass(frozen=True)
class DraftRequest:
    station_id: int
    conversation_id: int
    channel: str  # sms | instagram | email | webchat: decides the reply's form
    inbound_text: str  # the customer's message being answered (data, never instructions)
    intent: str | None = None
    emotion: str | None = None
    language: str | None = None  # "en", "es", ...
    escalate: bool = False
    customer_name: str = ""
    thread: tuple[ThreadLine, ...] = ()  # the recent messages, oldest first, for context
    message_id: int | None = None


@dataclass
class DraftResult:
    body: str
    generator: str  # "offline-templates-1" | "openai:<model>"
    grounding: dict[str, Any] = field(default_factory=dict)  # quote, availability, knowledge ids, examples
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_microdollars: int = 0


class DraftUnavailable(Exception):
    """No draft can be written (a permanent error): the manager writes by hand."""


def compose(request: DraftRequest) -> DraftResult:
    """Write a draft; OpenAI when configured and within the station's budget, else offline templates."""
    from app.ai.drafting.compose import compose as _compose

    return _compose(request)
