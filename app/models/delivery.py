"""The delivery columns every table of outgoing messages shares (the states of app/delivery).

    queued ──claim──> sending ──> sent        the provider took it (provider_id)
      ^  │  (lease,    │     ├──> recorded    no provider configured: the row is the delivery
      │  │  attempts+1)│     ├──> failed      refused for good, gave up, or outcome unknown
      │  │             │     └──> queued      not taken (transient): again at not_before
      │  └──> suppressed (a rule: consent, STOP, no longer relevant, no address), before any send
      └── a claim whose lease has expired (the worker died) is claimed again; the retry
          carries the same idempotency key, so the provider (or our lookup) makes it one message

Finished states (sent, recorded, failed, suppressed) are never left. `delivery_status` is
what the provider reports later (delivered, undelivered, read), ranked so that a late
report never overwrites a later state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import UTCDateTime

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
RECORDED = "recorded"
FAILED = "failed"
SUPPRESSED = "suppressed"

STATES = (QUEUED, SENDING, SENT, RECORDED, FAILED, SUPPRESSED)
FINISHED = frozenset({SENT, RECORDED, FAILED, SUPPRESSED})
WENT_OUT = (SENT, RECORDED)  # handed to the provider, or recorded where no provider is configured
# Words for people (pages, filters).
LABELS = {
    QUEUED: "queued",
    SENDING: "sending",
    SENT: "sent",
    RECORDED: "recorded (no provider)",
    FAILED: "failed",
    SUPPRESSED: "not sent (rule)",
}

# Provider reports come out of order: a later state (higher rank) is never overwritten.
DELIVERY_RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "read": 6,
    "canceled": 6,
}


def unfinished_index(table: str) -> Index:
    """The rows the delivery sweep looks at (queued or sending), a sliver of a big table."""
    where = text("status IN ('queued', 'sending')")
    return Index(f"ix_{table}_unfinished", "id", postgresql_where=where, sqlite_where=where)


class DeliveryState:
    """Mixin: the state of one message to one recipient (see the module docstring)."""

    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not before this time: quiet hours, or the backoff after a transient failure.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While `sending`: the claim is the worker's until then; after it, anyone may take it over.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    backend: Mapped[str | None] = mapped_column(String(16))  # smtp | twilio | instagram | recorded | ...
    provider_id: Mapped[str | None] = mapped_column(String(255))
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(200))  # why suppressed, deferred or failed, for people
    error: Mapped[str | None] = mapped_column(Text)  # the provider's words, for people who check
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
