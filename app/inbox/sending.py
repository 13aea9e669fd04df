"""Sending an inbox reply through the delivery layer, on the conversation's channel.

`send_message(message_id)` (the job `conversations.send_message`) hands the queued
outbound `Message` to app.delivery, which sends it at most once. This module says what
the reply is on each channel and what may stop it at the last moment:

- the channel's refusal is checked again (a STOP or the end of Meta's 24-hour window may
  have come since the reply was queued): the message fails with that reason;
- SMS through Twilio from the number the customer texted; email over SMTP, threaded with
  the Message-ID made when it was queued (its idempotency key: a retry is the same email),
  In-Reply-To and References; Instagram through Meta's Send API; without credentials each
  is recorded instead;
- web chat and review replies have nothing to hand to a provider: the widget polls for
  the message, the review page shows the reply; storing them is sending them.
A Twilio refusal because the number replied STOP elsewhere is written into our consent
ledger, so that nothing else is sent there either.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import select

from app.customers.services import match_or_create, record_consent
from app.delivery import engine
from app.delivery.backends import backend_for
from app.delivery.engine import Plan
from app.delivery.outgoing import Outgoing
from app.extensions import db
from app.inbox.outbound import SEND_JOB, email_address, refusal, sms_stopped_for
from app.jobs.registry import job
from app.models.base import utcnow
from app.models.conversation import Conversation, Message
from app.models.delivery import SUPPRESSED, WENT_OUT
from app.models.review import Review
from app.models.station import Station
from app.newsletter.subscriptions import stop_sms_for_phone
from app.web.urls import public_url

log = logging.getLogger(__name__)

MAX_REFERENCES = 20  # message ids in an email's References header


def reply_subject(subject: str, station: Station) -> str:
    """ "Re: <subject>" once, however many "Re:" the customer's client put in front."""
    bare = re.sub(r"^(\s*re\s*:\s*)+", "", " ".join((subject or "").split()), flags=re.IGNORECASE)
    return f"Re: {bare or f'your message to {station.name}'}"


def _references(message: Message) -> list[str]:
    """The thread's message ids the customer has seen, oldest first, ending with the one answered."""
    ids = db.session.scalars(
        select(Message.provider_id)
        .where(
            Message.conversation_id == message.conversation_id,
            Message.channel == "email",
            Message.id != message.id,
            Message.provider_id.is_not(None),
            (Message.direction == "in") | Message.status.in_(WENT_OUT),
        )
        .order_by(Message.created_at, Message.id)
    )
    thread = [mid for mid in ids if mid.startswith("<") and mid.endswith(">") and mid != message.in_reply_to]
    if message.in_reply_to:
        thread.append(message.in_reply_to)
    return thread[-MAX_REFERENCES:]


def _outgoing(message: Message, conversation: Conversation, station: Station, key: str) -> Outgoing:
    if conversation.channel == "email":
        headers = {"Message-ID": message.provider_id}
        references = _references(message)
        if message.in_reply_to:
            headers["In-Reply-To"] = message.in_reply_to
        if references:
            headers["References"] = " ".join(references)
        return Outgoing(
            channel="email",
            to=email_address(conversation),
            idempotency_key=key,
            subject=reply_subject(conversation.subject, station),
            body_text=message.body,
            from_name=station.name,
            reply_to=station.inbox_email or None,
            headers=headers,
        )
    if conversation.channel == "sms":
        # From the number the customer texted, so their answer comes back to this station.
        return Outgoing(
            channel="sms",
            to=conversation.contact,
            idempotency_key=key,
            body_text=message.body,
            status_callback=public_url("delivery_webhooks.twilio_status"),
            from_number=station.sms_number,
        )
    return Outgoing(channel=conversation.channel, to=conversation.contact, idempotency_key=key, body_text=message.body)


def _publish_review_reply(conversation: Conversation, message: Message) -> None:
    """The approved reply becomes the review's public reply (idempotent: a retry writes the same)."""
    review = db.session.scalar(select(Review).where(Review.conversation_id == conversation.id))
    if review is not None and review.reply != message.body:
        review.reply, review.replied_at = message.body, utcnow()


class ReplySender(engine.Sender):
    name = "reply"
    model = Message

    def scope(self, now: datetime) -> list:
        return [Message.direction == "out"]

    def plan(self, rows: list[Message], now: datetime) -> dict[int, Plan]:
        plans: dict[int, Plan] = {}
        backends = {}
        for message in rows:
            conversation = message.conversation
            refused = refusal(conversation, now)
            if refused is not None:
                plans[message.id] = Plan.fail(f"not sent: {refused.reason}")
            elif conversation.channel == "webchat":  # the widget polls for it
                plans[message.id] = Plan.done("webchat")
            elif conversation.channel == "review":  # our public answer, shown beside the review
                _publish_review_reply(conversation, message)
                plans[message.id] = Plan.done("review")
            else:
                channel = conversation.channel
                if channel not in backends:
                    backends[channel] = backend_for(channel)
                station = db.session.get(Station, conversation.station_id)
                outgoing = _outgoing(message, conversation, station, self.idempotency_key(message.id))
                plans[message.id] = Plan.send(outgoing, backends[channel])
        return plans

    def after(self, row_id: int, status: str) -> None:
        message = db.session.get(Message, row_id)
        if status == SUPPRESSED and message.channel == "sms":
            _record_carrier_stop(message)


SENDER = engine.register(ReplySender())


def _record_carrier_stop(message: Message) -> None:
    """Twilio says the number replied STOP (maybe to a message we never saw): our ledger agrees.

    Otherwise every later reply and reminder to that number would fail the same way.
    """
    conversation = message.conversation
    phone = conversation.contact
    if sms_stopped_for(conversation):
        return
    customer = conversation.customer or match_or_create(
        conversation.station_id, name=conversation.display_name, email=None, phone=phone
    )
    record_consent(
        customer,
        channel="sms",
        granted=False,
        text=f"The SMS provider refused to text this number: it replied STOP ({(message.error or '')[:200]}).",
        source="sms.stop.carrier",
        ip_address=None,
        purpose="transactional",
    )
    stop_sms_for_phone(conversation.station_id, phone)
    db.session.commit()


@job(SEND_JOB, queue="notifications")
def send_message(message_id: int) -> str:
    """Send one queued outbound message at most once; returns its state afterwards."""
    message = db.session.get(Message, message_id)
    if message is None or message.direction != "out":
        return "missing"
    engine.deliver(SENDER, [message_id])
    db.session.expire_all()
    return db.session.get(Message, message_id).status
