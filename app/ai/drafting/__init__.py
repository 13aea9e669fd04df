"""Reply drafts: grounded in the station's prices, availability, policies and knowledge base.

    result = compose(DraftRequest(...))   # -> DraftResult; raises DraftUnavailable (no such station)

The job in app.inbox.jobs (and `flask ai draft`) builds the request from plain
values (no ORM rows cross this line) and stores the result on the Draft row.

One draft is a pipeline, read top to bottom in `offline.compose_offline`:
  understand (context.py over app.ai.understanding: facts, questions, booking changes)
  -> ground   (context.py: grounding.py quote and slots, answers.py from settings and the
               knowledge base, bookings.py the customer's own bookings)
  -> plan     (plan.py: which parts the reply needs)
  -> render   (render.py and phrases/: language, channel, length)
  -> guard    (guard.py: amounts, percentages, money words, commitments).
The OpenAI composer (openai_drafter.py, prompts.py) shares the first two stages and the
guard. composer.py picks the composer; budget.py keeps each station's daily spend;
examples.py and learned.py carry what managers added to approved drafts.
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
    received_at: datetime | None = None  # when the customer wrote: relative dates count from it (None: now)
    customer_id: int | None = None  # the matched customer, whose bookings a change refers to
    contact: str = ""  # phone, email or channel id: finds the customer when customer_id is unknown


@dataclass
class DraftResult:
    body: str
    generator: str  # "offline-pipeline-2" | "openai:<model>"
    grounding: dict[str, Any] = field(default_factory=dict)  # quote, availability, knowledge ids, examples
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_microdollars: int = 0


class DraftUnavailable(Exception):
    """No draft can be written (a permanent error): the manager writes by hand."""


def compose(request: DraftRequest, *, offline: bool = False) -> DraftResult:
    """Write a draft: OpenAI when configured and within the station's budget (never with offline=True), else offline."""
    from app.ai.drafting.composer import compose as _compose

    return _compose(request, offline=offline)
