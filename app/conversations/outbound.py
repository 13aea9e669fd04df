"""Sending a reply: queued by the inbox, delivered at most once by a job, on the conversation's channel.

    message = queue_reply(conversation, "See you Saturday!", user=current_user, draft=draft)
    db.session.commit()   # the caller commits; `conversations.send_message` is relayed after commit

`queue_reply` validates the text, refuses what the channel cannot take (Instagram
outside Meta's 24-hour window, SMS to a number that replied STOP, email without an
address), writes the outbound `Message` ("queued") and emits the send job in the
same transaction (outbox).

`send_message(message_id)` follows app/notifications/sending.py:
1. re-check the channel (a STOP or the end of the window may have come since);
2. claim: UPDATE status 'queued' -> 'sending', committed, so one worker owns the send;
3. call the provider with no database transaction open;
4. record the outcome with a guarded UPDATE: 'sent' (provider id, sent_at), 'failed'
   (error), back to 'queued' for a transient error (`TransientError`, RQ retries; up
   to MAX_SEND_ATTEMPTS), or 'unknown' when the provider may have taken it.
A row left in 'sending' (a worker killed mid-send) or 'unknown' is never sent again:
a person checks the provider's log, since a retry could reach the customer twice.

Channels: SMS through Twilio, email over SMTP (threaded with Message-ID, In-Reply-To
and References), Instagram through Meta's Send API; without credentials each is
recorded instead (a local id, no network). Web chat has nothing to deliver (the
widget polls for new messages): the job only marks the message sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from zoneinfo import ZoneInfo

import requests
from flask import current_app
from sqlalchemy import select, update

from app import audit
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.jobs import outbox
from app.jobs.registry import TransientError, job
from app.models.base import utcnow
from app.models.conversation import CHANNEL_LABELS, Conversation, Draft, Message
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.station import Station
from app.notifications import backends, compose, policy
from app.notifications.backends import Outgoing, PermanentSendError, TransientSendError, UncertainSendError
from app.notifications.webhooks import DELIVERY_RANK

log = logging.getLogger(__name__)

MAX_CHARS = {"sms": 1600, "instagram": 1000, "email": 20_000, "webchat": 20_000, "review": 5000}
INSTAGRAM_WINDOW = timedelta(hours=24)  # Meta: replies only within 24 h of the customer's last message
MAX_SEND_ATTEMPTS = 4  # the first try and RQ's retries; then the message is failed, not left queued
MAX_REFERENCES = 20  # message ids in an email's References header
PREVIEW_CHARS = 160
META_TIMEOUT = (5, 20)  # seconds: connect, read
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
        status="queued",
        sent_by_id=user.id if user is not None else None,
        draft_id=draft.id if draft is not None else None,
        created_at=now,
        meta={},
    )
    if conversation.channel == "email":
        # Made now and kept: the customer's answer carries it in In-Reply-To and threads back here.
        mail_from = current_app.config.get("MAIL_FROM") or ""
        message.provider_id = make_msgid(domain=backends.mail_domain(mail_from))
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
        from app.leads.services import record_contact  # leads build on the inbox: imported late

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


# -- Instagram through Meta's Send API --------------------------------------------------------


def _meta_error(response: requests.Response) -> backends.SendError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    text = f"Meta {response.status_code} (code {error.get('code')}): {error.get('message') or response.reason}"
    # Meta marks passing errors (rate limits, temporary send failures) with is_transient, even on a 400.
    if response.status_code == 429 or response.status_code >= 500 or error.get("is_transient"):
        return TransientSendError(text)
    return PermanentSendError(text)


class InstagramBackend:
    """POST {META_GRAPH_API_BASE}/me/messages with the page access token; returns Meta's message id."""

    name = "instagram"

    def __init__(self, config) -> None:
        self.url = (config.get("META_GRAPH_API_BASE") or "").rstrip("/") + "/me/messages"
        self.token = config["META_PAGE_ACCESS_TOKEN"]

    def send(self, message: Outgoing) -> str:
        payload = {
            "recipient": {"id": message.to},
            "message": {"text": message.body_text},
            "messaging_type": "RESPONSE",
        }
        try:
            # The token goes in a header, not the query: request errors quote the URL, and they are logged.
            response = requests.post(
                self.url, json=payload, headers={"Authorization": f"Bearer {self.token}"}, timeout=META_TIMEOUT
            )
        except requests.RequestException as exc:
            text = f"{type(exc).__name__}: {exc}"
            if backends._connection_never_made(exc):
                raise TransientSendError(text) from exc
            raise UncertainSendError(text) from exc
        if not response.ok:
            raise _meta_error(response)
        try:
            message_id = response.json().get("message_id")
        except ValueError:
            message_id = None
        if not message_id:
            raise UncertainSendError(f"Meta {response.status_code} without a message_id")
        return message_id


def _backend_for(channel: str) -> backends.Backend:
    if channel == "instagram":
        config = current_app.config
        return InstagramBackend(config) if config.get("META_PAGE_ACCESS_TOKEN") else backends.RecordedBackend()
    return backends.backend_for(channel)


# -- what goes to the provider ----------------------------------------------------------------


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
            (Message.direction == "in") | (Message.status == "sent"),
        )
        .order_by(Message.created_at, Message.id)
    )
    thread = [mid for mid in ids if mid.startswith("<") and mid.endswith(">") and mid != message.in_reply_to]
    if message.in_reply_to:
        thread.append(message.in_reply_to)
    return thread[-MAX_REFERENCES:]


def _email_outgoing(message: Message, conversation: Conversation, station: Station) -> Outgoing:
    headers = {"Message-ID": message.provider_id}
    references = _references(message)
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if references:
        headers["References"] = " ".join(references)
    return Outgoing(
        channel="email",
        to=email_address(conversation),
        subject=reply_subject(conversation.subject, station),
        body_text=message.body,
        from_name=station.name,
        reply_to=station.inbox_email or None,
        headers=headers,
    )


def _outgoing(message: Message, conversation: Conversation) -> Outgoing:
    if conversation.channel == "email":
        return _email_outgoing(message, conversation, _station(conversation))
    if conversation.channel == "sms":
        callback = compose.public_url("notification_webhooks.twilio_status")
        # From the number the customer texted, so their answer comes back to this station.
        return Outgoing(
            channel="sms",
            to=conversation.contact,
            body_text=message.body,
            status_callback=callback,
            from_number=_station(conversation).sms_number,
        )
    return Outgoing(channel=conversation.channel, to=conversation.contact, body_text=message.body)


# -- sending one, at most once ----------------------------------------------------------------


def _guarded(message_id: int, from_status: str, **values) -> bool:
    """Move the row on only if it is still in `from_status`; commits; True if it moved."""
    result = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.direction == "out", Message.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _deliver(message_id: int, channel: str, backend: backends.Backend, outgoing: Outgoing, attempt: int) -> str:
    """The provider call (claimed, no transaction open) and its recorded outcome."""
    try:
        provider_id = backend.send(outgoing)
    except TransientSendError as exc:
        if attempt >= MAX_SEND_ATTEMPTS:
            _guarded(message_id, "sending", status="failed", error=f"gave up after {attempt} attempts: {exc}"[:2000])
            return "failed"
        _guarded(message_id, "sending", status="queued", error=str(exc)[:2000])
        log.warning("message %s: transient failure, will retry: %s", message_id, exc)
        raise TransientError(f"message {message_id}: {exc}") from exc
    except PermanentSendError as exc:
        error = f"{exc.skip_reason}: {exc}" if exc.skip_reason else str(exc)
        _guarded(message_id, "sending", status="failed", error=error[:2000])
        log.warning("message %s failed: %s", message_id, error)
        if channel == "sms" and exc.skip_reason:
            _record_carrier_stop(message_id, str(exc))
        return "failed"
    except UncertainSendError as exc:
        _guarded(message_id, "sending", status="unknown", error=f"outcome unknown, not retried: {exc}"[:2000])
        log.error("message %s: outcome unknown, not retried: %s", message_id, exc)
        return "unknown"
    except Exception as exc:
        # A bug, not a provider answer: the message may or may not have left, so no retry.
        db.session.rollback()
        _guarded(message_id, "sending", status="unknown", error=f"outcome unknown ({type(exc).__name__}: {exc})"[:2000])
        raise
    values = {"status": "sent", "sent_at": utcnow(), "error": None}
    if channel != "email":  # an email keeps the Message-ID made when queued: replies thread on it
        values["provider_id"] = provider_id[:255]
    _guarded(message_id, "sending", **values)
    return "sent"


def _record_carrier_stop(message_id: int, provider_error: str) -> None:
    """Twilio says the number replied STOP (maybe to a message we never saw): our ledger agrees.

    Otherwise every later reply and reminder to that number would fail the same way.
    """
    from app.customers.services import match_or_create, record_consent
    from app.newsletter.subscriptions import stop_sms_for_phone  # the newsletter builds on the inbox

    conversation = db.session.get(Message, message_id).conversation
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
        text=f"The SMS provider refused to text this number: it replied STOP ({provider_error[:200]}).",
        source="sms.stop.carrier",
        ip_address=None,
        purpose="transactional",
    )
    stop_sms_for_phone(conversation.station_id, phone)
    db.session.commit()


def _publish_review_reply(conversation: Conversation, message: Message) -> None:
    """The approved reply becomes the review's public reply (in the same commit as "sent")."""
    from app.models.review import Review

    review = db.session.scalar(select(Review).where(Review.conversation_id == conversation.id))
    if review is not None:
        review.reply, review.replied_at = message.body, utcnow()


@job(SEND_JOB, queue="notifications", retries=MAX_SEND_ATTEMPTS - 1)
def send_message(message_id: int) -> str:
    """Send one queued outbound message at most once; returns its status afterwards.

    Raises `TransientError` when the provider failed in a way worth retrying (the
    message is queued again).
    """
    message = db.session.get(Message, message_id)
    if message is None or message.direction != "out":
        return "missing"
    if message.status != "queued":
        return message.status  # sent, failed, unknown, or claimed ('sending'): never again
    conversation = message.conversation
    refused = refusal(conversation)
    if refused is not None:
        _guarded(message_id, "queued", status="failed", error=f"not sent: {refused.reason}")
        return "failed"
    if conversation.channel == "webchat":  # the widget polls for it: nothing to hand over
        _guarded(message_id, "queued", status="sent", sent_at=utcnow(), error=None)
        return "sent"
    if conversation.channel == "review":  # our public answer, shown beside the review
        _publish_review_reply(conversation, message)
        _guarded(message_id, "queued", status="sent", sent_at=utcnow(), error=None)
        return "sent"

    channel = conversation.channel
    try:
        outgoing = _outgoing(message, conversation)
        backend = _backend_for(channel)
    except Exception as exc:
        # Nothing was handed over: say so on the message rather than leave it queued forever.
        log.exception("message %s cannot be prepared for sending", message_id)
        db.session.rollback()
        _guarded(message_id, "queued", status="failed", error=f"not sent: {type(exc).__name__}: {exc}"[:2000])
        return "failed"
    attempt = int((message.meta or {}).get("send_attempts", 0)) + 1
    meta = {**(message.meta or {}), "send_attempts": attempt, "backend": backend.name}
    if not _guarded(message_id, "queued", status="sending", meta=meta):
        return "claimed elsewhere"
    # The claim is committed and only plain values are used from here: no transaction is open.
    return _deliver(message_id, channel, backend, outgoing, attempt)


# -- delivery reports -------------------------------------------------------------------------


def record_delivery_status(sid: str, status: str, error_code: str | None = None) -> bool:
    """Twilio's status callback for a reply's SMS; True when `sid` is one of ours. Flushes; the caller commits.

    Callbacks arrive out of order: a later state (by the notifications' ranking) is
    never overwritten by an earlier one.
    """
    message = db.session.scalar(
        select(Message).where(Message.channel == "sms", Message.direction == "out", Message.provider_id == sid)
    )
    if message is None:
        return False
    status = status.lower()[:32]
    if DELIVERY_RANK.get(status, 0) >= DELIVERY_RANK.get(message.delivery_status or "", 0):
        message.delivery_status = status
        if error_code:
            message.error = f"Twilio error {error_code[:20]} ({status})"
        db.session.flush()
    return True
