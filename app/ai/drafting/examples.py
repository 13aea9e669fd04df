"""Approved replies as examples: what staff actually sent to similar messages (same station, same intent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.ai.drafting.textmatch import overlap
from app.extensions import db
from app.models.conversation import Conversation, Draft, Message

TOP_K = 2
# The newest approved replies compared per draft: old wording fades, and the cost stays flat.
CANDIDATES = 300


@dataclass(frozen=True)
class Example:
    draft_id: int
    inbound: str
    reply: str  # what was sent
    contact_name: str  # whose name the reply may carry; swapped out before reuse
    similarity: float
    draft_body: str = ""  # what the AI had written, before the manager's edit


def closest_examples(station_id: int, intent: str | None, inbound_text: str, top: int = TOP_K) -> list[Example]:
    """The approved replies of this station and intent whose question is most like `inbound_text`."""
    if not intent:
        return []
    rows = db.session.execute(
        select(Draft.id, Message.body, Draft.sent_body, Conversation.contact_name, Draft.body)
        .join(Message, Message.id == Draft.message_id)
        .join(Conversation, Conversation.id == Draft.conversation_id)
        .where(
            Draft.station_id == station_id,
            Draft.intent == intent,
            Draft.status == "sent",
            Draft.source.in_(("ai", "staff")),
            Draft.sent_body.is_not(None),
        )
        .order_by(Draft.id.desc())
        .limit(CANDIDATES)
    ).all()
    scored = [
        Example(i, body, sent, name or "", overlap(inbound_text, body), draft_body or "")
        for i, body, sent, name, draft_body in rows
    ]
    scored.sort(key=lambda example: (-example.similarity, -example.draft_id))
    return [example for example in scored[:top] if example.similarity > 0]
