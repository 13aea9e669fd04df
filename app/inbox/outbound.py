"""Replying: the inbox queues a reply on the conversation's channel; app.inbox.sending sends it.

    message = queue_reply(conversation, "See you Saturday!", user=current_user, draft=draft)
    db.session.commit()   # the caller commits; `conversations.send_message` is relayed after commit

`queue_reply` validates the text, refuses what the channel cannot take (Instagram
outside Meta's 24-hour window, SMS to a number that replied STOP, email without an
address), writes the outbound `Message` ("queued") and emits the send job in the
same transaction (outbox). The same refusal is checked again when the message is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app import audit
from app.delivery.email_smtp import mail_domain
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.jobs import outbox
from app.leads.services import record_contact
from app.models.base import utcnow
from app.models.conversation import CHANNEL_LABELS, Conversation, Draft, Message
from app.models.customer import Customer
from app.models.delivery import QUEUED
from app.models.lead import Lead
from app.models.station import Station
from app.notifications import policy

log = logging.getLogger(__name__)

MAX_CHARS = {"sms": 1600, "instagram": 1000, "email": 20_000, "webchat": 20_000, "review": 5000}
INSTAGRAM_WINDOW = timedelta(hours=24)  # Meta: replies only within 24 h of the customer's last message
PREVIEW_CHARS = 160
SEND_JOB = "conversations.send_message"


# -- what a channel allows ------------------------------------------------------------------


@dataclass(frozen=True)
class MessagingWindow:
    """Whether a reply may go now on the conversation's channel, and for how long (for the inbox)."""

    open: bool
    closes_at: datetime | None
    reason: str


@dataclass(frozen=True)
class Refusal:
    """Why a reply cannot go on this channel now: `reason` is for staff, `code` for the API."""

    code: str
    reason: str


def _station(conversation: Conversation) -> Station:
    return db.session.get(Station, conversation.station_id)


def _local_time(when: datetime, zone: ZoneInfo, now: datetime) -> str:
    local = when.astimezone(zone)
    same_day = local.date() == now.astimezone(zone).date()
    return local.strftime("%H:%M" if same_day else "%a %H:%M")


def _ago(elapsed: timedelta) -> str:
    hours = int(elapsed.total_seconds() // 3600)
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def messaging_window(conversation: Conversation, now: datetime | None = None) -> MessagingWindow:
    """Instagram: open for 24 h after the customer's last message. Other channels: always open."""
    if conversation.channel != "instagram":
        return MessagingWindow(open=True, closes_at=None, reason="")
    now = now or utcnow()
    last = conversation.last_inbound_at
    if last is None:
        return MessagingWindow(
            False, None, "closed: the customer has not written yet; Meta allows replies within 24 h of their message"
        )
    closes_at = last + INSTAGRAM_WINDOW
    if now < closes_at:
        zone = ZoneInfo(_station(conversation).timezone)
        return MessagingWindow(True, closes_at, f"Instagram: you can reply until {_local_time(closes_at, zone, now)}")
    return MessagingWindow(
        False, closes_at, f"closed: the customer last wrote {_ago(now - last)}; Meta allows replies within 24 h"
    )


def sms_stopped_for(conversation: Conversation) -> bool:
    """Whether the conversation's number replied STOP (and did not opt in again).

    A STOP belongs to the number, so every customer of the station with that phone
    counts, besides the conversation's own customer (a household shares a phone).
    """
    customers = list(
        db.session.scalars(
            select(Customer).where(
                Customer.station_id == conversation.station_id, Customer.phone == conversation.contact
            )
        )
    )
    if conversation.customer is not None and conversation.customer not in customers:
        customers.append(conversation.customer)
    return any(policy.sms_stopped(customer) for customer in customers)


def email_address(conversation: Conversation) -> str | None:
    """Where an email reply goes: the contact when it is an address, else the customer's or lead's."""
    if "@" in conversation.contact:
        return conversation.contact
    for person in (conversation.customer, conversation.lead):
        if person is not None and person.email:
            return person.email
    return None


def refusal(conversation: Conversation, now: datetime | None = None) -> Refusal | None:
    """Why the channel cannot take a reply now (None: it can); checked when queued and when sent."""
    channel = conversation.channel
    if channel == "instagram":
        window = messaging_window(conversation, now)
        return None if window.open else Refusal("messaging_window_closed", f"Instagram reply window {window.reason}.")
    if channel == "sms" and sms_stopped_for(conversation):
        return Refusal("sms_stopped", "This number replied STOP: no SMS may go to it until the customer texts START.")
    if channel == "email" and not email_address(conversation):
        return Refusal("no_email_address", "There is no email address to reply to.")
    return None


# -- queueing a reply -----------------------------------------------------------------------


def _validated_text(channel: str, body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationFailed("The reply is empty.", fields={"body": "Write a reply first."})
    limit = MAX_CHARS[channel]
    if len(text) > limit:
        label = CHANNEL_LABELS[channel]
        message = f"{label} replies are limited to {limit:,} characters; this one has {len(text):,}."
        raise ValidationFailed(message, fields={"body": message})
    return text


def _check_draft(conversation: Conversation, draft: Draft | None) -> None:
    if draft is None:
        return
    if draft.conversation_id != conversation.id:
        raise ValueError(f"draft {draft.id} belongs to another conversation")
    if db.session.scalar(select(Message.id).where(Message.draft_id == draft.id).limit(1)) is not None:
        raise Conflict("This draft has already been sent.", code="draft_already_sent")


def _last_inbound_email_id(conversation: Conversation) -> str | None:
    return db.session.scalar(
        select(Message.provider_id)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == "in",
            Message.channel == "email",
            Message.provider_id.is_not(None),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def _new_message(conversation: Conversation, text: str, *, user, draft: Draft | None, now: datetime) -> Message:
    message = Message(
        station_id=conversation.station_id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction="out",
        body=text,
        status=QUEUED,
        sent_by_id=user.id if user is not None else None,
        draft_id=draft.id if draft is not None else None,
        created_at=now,
        meta={},
    )
    if conversation.channel == "email":
        # Made now and kept: the customer's answer carries it in In-Reply-To and threads back here.
        mail_from = current_app.config.get("MAIL_FROM") or ""
        message.provider_id = make_msgid(domain=mail_domain(mail_from))
        message.in_reply_to = _last_inbound_email_id(conversation)
    return message


def _mark_answered(conversation: Conversation, text: str, now: datetime) -> None:
    conversation.answered_at = now
    conversation.last_message_at = now
    conversation.last_preview = " ".join(text.split())[:PREVIEW_CHARS]
    conversation.unread = 0


def queue_reply(
    conversation: Conversation, body: str, *, user, draft: Draft | None = None, now: datetime | None = None
) -> Message:
    """Write the reply as a queued outbound message and emit its send job; flushes, the caller commits.

    Raises ValidationFailed (empty, too long) or Conflict (the channel refuses it now).
    """
    now = now or utcnow()
    text = _validated_text(conversation.channel, body)
    _check_draft(conversation, draft)
    refused = refusal(conversation, now)
    if refused is not None:
        raise Conflict(refused.reason, code=refused.code)
    message = _new_message(conversation, text, user=user, draft=draft, now=now)
    db.session.add(message)
    db.session.flush()
    _mark_answered(conversation, text, now)
    if conversation.lead_id is not None:
        # Our first answer to a lead is its first response (new -> contacted, the SLA task closed).
        lead = db.session.get(Lead, conversation.lead_id)
        if lead is not None:
            record_contact(lead, user, now=now)
    outbox.emit(SEND_JOB, key=f"send-message-{message.id}", station_id=conversation.station_id, message_id=message.id)
    audit.record(
        "conversation.reply_queued",
        message,
        actor_id=user.id if user is not None else None,
        after={"conversation_id": conversation.id, "channel": conversation.channel, "draft_id": message.draft_id},
    )
    db.session.flush()
    return message
