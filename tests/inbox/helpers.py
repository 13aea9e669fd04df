"""Building conversations for inbox tests without the AI job (labels and drafts set directly)."""

from __future__ import annotations

from app.extensions import db
from app.inbox.inbound import Inbound, receive
from app.models.base import utcnow
from app.models.conversation import Draft, Message
from app.models.station import Station


def inbound(
    station_id: int,
    text: str,
    *,
    channel: str = "webchat",
    contact: str = "visitor-token-1",
    provider_id: str | None = None,
    intent: str = "quote_request",
    emotion: str = "neutral",
    escalate: bool = False,
    name: str = "Dana Cruz",
    **fields,
) -> Message:
    """An inbound message, labelled as the classifier would have labelled it."""
    station = db.session.get(Station, station_id)
    message, _ = receive(
        station,
        Inbound(channel, contact, text, provider_id=provider_id, contact_name=name, **fields),
    )
    message.intent, message.emotion, message.language = intent, emotion, "en"
    message.escalate, message.classifier, message.confidence = escalate, "offline-lr-1", 0.9
    conversation = message.conversation
    conversation.intent, conversation.emotion, conversation.escalated = intent, emotion, escalate
    db.session.flush()
    return message


def ai_draft(message: Message, body: str, *, status: str = "ready") -> Draft:
    draft = Draft(
        station_id=message.station_id,
        conversation_id=message.conversation_id,
        message_id=message.id,
        status=status,
        source="ai",
        generator="offline-templates-1",
        intent=message.intent,
        language="en",
        body=body,
        generated_at=utcnow() if status != "generating" else None,
        grounding={"quote": {"summary": "12 guests: $660.00"}},
    )
    db.session.add(draft)
    db.session.flush()
    return draft
