"""Storing an inbound message: the one entry point every channel's webhook or poll calls.

    message, created = receive(station, Inbound(channel="sms", contact="+15551234567", body=..., provider_id=sid))
    db.session.commit()   # the caller commits; the AI job is relayed after commit

In one transaction: dedupe on (channel, provider_id) (a second delivery returns the
stored row and `created=False`), find or open the conversation (email follows
In-Reply-To / References first), attach the customer (matched by email or phone) or an
open lead (a new one for a stranger's first message), update the inbox counters and
emit the `conversations.process_inbound` job (classify, then draft) through the outbox.
Nothing slow happens here, so webhooks answer fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from app.customers.services import find_match
from app.extensions import db, upsert_insert
from app.jobs import outbox
from app.leads.services import capture
from app.models.base import utcnow
from app.models.conversation import CHANNELS, Conversation, Message
from app.models.station import Station

MAX_BODY_CHARS = 20_000  # longer messages are cut (an email with a long quoted thread)
PREVIEW_CHARS = 160
UNNAMED = {
    "sms": "SMS contact",
    "instagram": "Instagram user",
    "email": "Email contact",
    "webchat": "Web chat visitor",
    "review": "Reviewer",
}


@dataclass(frozen=True)
class Inbound:
    """One message as a channel received it, normalised by the channel's adapter."""

    channel: str
    contact: str  # E.164 number, Instagram-scoped id, lower-cased email, chat token
    body: str
    provider_id: str | None = None  # MessageSid, Meta mid, Message-ID, chat client id
    contact_name: str = ""
    subject: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    email: str | None = None  # normalised, for matching a customer or lead
    phone: str | None = None  # E.164
    received_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _insert_message(values: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING on (channel, provider_id); the new id or None."""
    statement = (
        upsert_insert(Message)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"], index_where=text("provider_id IS NOT NULL"))
        .returning(Message.id)
    )
    return db.session.execute(statement).scalar_one_or_none()


def _existing(channel: str, provider_id: str | None) -> Message | None:
    if not provider_id:
        return None
    return db.session.scalar(select(Message).where(Message.channel == channel, Message.provider_id == provider_id))


def _thread_of(station: Station, inbound: Inbound) -> Conversation | None:
    """For email: the conversation holding the message this one replies to."""
    refs = [ref for ref in (inbound.in_reply_to, *inbound.references) if ref]
    if inbound.channel != "email" or not refs:
        return None
    return db.session.scalar(
        select(Conversation)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.station_id == station.id, Message.channel == "email", Message.provider_id.in_(refs))
        .order_by(Message.id.desc())
        .limit(1)
    )


def conversation_for(station: Station, channel: str, contact: str, **defaults: Any) -> Conversation:
    """The station's conversation with this contact on this channel, opened if new (race-safe)."""
    found = db.session.scalar(
        select(Conversation).where(
            Conversation.station_id == station.id, Conversation.channel == channel, Conversation.contact == contact
        )
    )
    if found is not None:
        return found
    db.session.execute(
        upsert_insert(Conversation)
        .values(station_id=station.id, channel=channel, contact=contact, **defaults)
        .on_conflict_do_nothing(index_elements=["station_id", "channel", "contact"])
    )
    return db.session.scalar(
        select(Conversation).where(
            Conversation.station_id == station.id, Conversation.channel == channel, Conversation.contact == contact
        )
    )


def _attach_person(station: Station, conversation: Conversation, inbound: Inbound, now: datetime) -> None:
    """Customer by email/phone; else the person's open lead (touched again); else a new lead from this message."""
    if conversation.customer_id is None:
        customer = find_match(station.id, inbound.email, inbound.phone)
        if customer is not None:
            conversation.customer_id = customer.id
    if conversation.customer_id is not None or conversation.lead_id is not None:
        return
    if inbound.channel == "review":
        return  # a review comes from a party we served, never a new sales lead
    captured = capture(
        station,
        source=inbound.channel,
        name=inbound.contact_name or inbound.email or inbound.phone or UNNAMED[inbound.channel],
        email=inbound.email,
        phone=inbound.phone,
        message=inbound.body[:MAX_BODY_CHARS],
        attribution=inbound.meta.get("attribution") or {},
        now=now,
    )
    conversation.lead_id = captured.lead.id


def receive(station: Station, inbound: Inbound) -> tuple[Message, bool]:
    """Store the message (or find it: a repeated delivery), update its conversation, emit the AI job."""
    if inbound.channel not in CHANNELS:
        raise ValueError(f"unknown channel {inbound.channel!r}")
    existing = _existing(inbound.channel, inbound.provider_id)
    if existing is not None:
        return existing, False
    now = inbound.received_at or utcnow()
    conversation = _thread_of(station, inbound) or conversation_for(
        station,
        inbound.channel,
        inbound.contact,
        contact_name=inbound.contact_name[:120],
        subject=inbound.subject[:255],
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    # Two messages of a new contact at once: the second waits here, then sees the first's lead
    # and counters (no duplicate lead, no lost unread increment, no reply racing the SLA clock).
    db.session.refresh(conversation, with_for_update=True)
    body = inbound.body[:MAX_BODY_CHARS]
    message_id = _insert_message(
        {
            "station_id": station.id,
            "conversation_id": conversation.id,
            "channel": inbound.channel,
            "direction": "in",
            "body": body,
            "provider_id": inbound.provider_id,
            "in_reply_to": inbound.in_reply_to,
            "status": "received",
            "meta": inbound.meta,
            "created_at": now,
            "escalate": False,
            "labels_corrected": False,
            "escalation_reasons": [],
        }
    )
    if message_id is None:  # another delivery of the same message won the race
        return _existing(inbound.channel, inbound.provider_id), False
    _attach_person(station, conversation, inbound, now)
    if inbound.contact_name and not conversation.contact_name:
        conversation.contact_name = inbound.contact_name[:120]
    conversation.status = "open"
    conversation.unread = (conversation.unread or 0) + 1
    conversation.last_inbound_at = now
    conversation.last_message_at = now
    conversation.last_preview = " ".join(body.split())[:PREVIEW_CHARS]
    outbox.emit(
        "conversations.process_inbound",
        key=f"inbound-{message_id}",
        station_id=station.id,
        message_id=message_id,
    )
    db.session.flush()
    return db.session.get(Message, message_id), True
