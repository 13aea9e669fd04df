"""Queueing a reply (validation, channel refusals, the send job) and sending it at most once."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.inbox import outbound, sending
from app.inbox.inbound import Inbound, conversation_for, receive
from app.inbox.outbound import messaging_window, queue_reply
from app.inbox.sending import send_message
from app.jobs import outbox
from app.models.base import utcnow
from app.models.conversation import Conversation, Draft, Message
from app.models.customer import ConsentRecord, Customer
from app.models.outbox import OutboxMessage
from app.models.station import Station
from app.models.user import User

PHONE = "+15551240001"
IGSID = "17841400000000001"


@pytest.fixture(name="svc")
def app_context(app):
    """An app context, as in a worker (no request)."""
    with app.app_context():
        yield


def station_of(world) -> Station:
    return db.session.get(Station, world.station.id)


def manager(world) -> User:
    return db.session.get(User, world.users["manager"].id)


def inbound(world, channel: str, contact: str, body: str = "Hi there", **fields) -> Conversation:
    """The conversation a customer's message opens (through the real inbound service)."""
    fields.setdefault("provider_id", f"{channel}-{utcnow().timestamp()}-{body}")
    message, _ = receive(station_of(world), Inbound(channel, contact, body, **fields))
    db.session.flush()
    return message.conversation


def reload(message_id: int) -> Message:
    db.session.expire_all()
    return db.session.get(Message, message_id)


def stop(customer: Customer, *, granted: bool = False, source: str = "sms.stop") -> None:
    db.session.add(
        ConsentRecord(
            station_id=customer.station_id,
            customer_id=customer.id,
            channel="sms",
            purpose="marketing",
            granted=granted,
            text="STOP" if not granted else "START",
            source=source,
            recorded_at=utcnow(),
        )
    )
    db.session.flush()


def queued_sms(world, body: str = "See you Saturday!") -> Message:
    conversation = inbound(world, "sms", PHONE, phone=PHONE)
    message = queue_reply(conversation, body, user=manager(world))
    db.session.commit()
    return message


# -- queueing -------------------------------------------------------------------------------


def test_a_reply_is_queued_with_its_send_job_and_answers_the_conversation(svc, world):
    conversation = inbound(world, "sms", PHONE, "Price for 12?", phone=PHONE)
    assert conversation.unread == 1 and conversation.awaiting_reply
    now = utcnow()
    message = queue_reply(conversation, "  It is $600 for 12 guests.  \n", user=manager(world), now=now)
    assert (message.direction, message.status, message.channel) == ("out", "queued", "sms")
    assert message.body == "It is $600 for 12 guests." and message.sent_by_id == world.users["manager"].id
    assert conversation.unread == 0 and conversation.answered_at == now and not conversation.awaiting_reply
    assert conversation.last_preview == "It is $600 for 12 guests." and conversation.last_message_at == now
    job = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"send-message-{message.id}"))
    assert job.job == "conversations.send_message" and job.payload == {"message_id": message.id}
    assert job.station_id == world.station.id


@pytest.mark.parametrize(
    ("channel", "contact", "body", "words"),
    [
        ("sms", PHONE, "   \n ", "empty"),
        ("sms", PHONE, "x" * 1601, "SMS replies are limited to 1,600 characters"),
        ("instagram", IGSID, "x" * 1001, "Instagram replies are limited to 1,000 characters"),
        ("email", "ana@example.com", "x" * 20_001, "Email replies are limited to 20,000 characters"),
    ],
)
def test_empty_or_too_long_replies_are_refused(svc, world, channel, contact, body, words):
    conversation = inbound(world, channel, contact)
    with pytest.raises(ValidationFailed) as refused:
        queue_reply(conversation, body, user=manager(world))
    assert words in refused.value.message and "body" in refused.value.fields
    assert db.session.scalar(select(Message.id).where(Message.direction == "out")) is None


def test_the_longest_sms_allowed_is_queued(svc, world):
    conversation = inbound(world, "sms", PHONE)
    assert queue_reply(conversation, "x" * 1600, user=manager(world)).status == "queued"


def test_an_email_reply_gets_its_message_id_now_and_answers_the_last_inbound_email(svc, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_FROM", "Teppan <bookings@teppan.example>")
    inbound(world, "email", "ana@example.com", "Quote?", provider_id="<q1@mail.example>", email="ana@example.com")
    conversation = inbound(
        world,
        "email",
        "ana@example.com",
        "And vegan?",
        provider_id="<q2@mail.example>",
        in_reply_to="<q1@mail.example>",
    )
    message = queue_reply(conversation, "Yes, tofu.", user=manager(world))
    assert message.provider_id.startswith("<") and message.provider_id.endswith("@teppan.example>")
    assert message.in_reply_to == "<q2@mail.example>"


def test_an_email_conversation_without_an_address_is_refused(svc, world):
    conversation = conversation_for(station_of(world), "email", "thread-7f3a")
    with pytest.raises(Conflict) as refused:
        queue_reply(conversation, "Hello", user=manager(world))
    assert refused.value.code == "no_email_address" and "no email address" in refused.value.message


def test_a_draft_is_linked_and_cannot_be_sent_twice(svc, world):
    conversation = inbound(world, "webchat", "chat-token-1")
    draft = Draft(station_id=world.station.id, conversation_id=conversation.id, status="ready", body="Hi!")
    db.session.add(draft)
    db.session.flush()
    assert queue_reply(conversation, "Hi!", user=manager(world), draft=draft).draft_id == draft.id
    with pytest.raises(Conflict, match="already been sent"):
        queue_reply(conversation, "Hi!", user=manager(world), draft=draft)


# -- Instagram's 24-hour window -------------------------------------------------------------


def test_the_instagram_window_is_open_for_24_hours_after_the_customer_wrote(svc, world):
    wrote = utcnow().replace(hour=18, minute=5, second=0, microsecond=0) - timedelta(days=1)
    conversation = inbound(world, "instagram", IGSID, received_at=wrote)
    closes_at = wrote + timedelta(hours=24)
    in_new_york = closes_at.astimezone(ZoneInfo("America/New_York"))  # station alpha's time zone
    window = messaging_window(conversation, now=wrote + timedelta(hours=22))
    assert window.open and window.closes_at == closes_at
    assert window.reason == f"Instagram: you can reply until {in_new_york:%H:%M}"
    assert in_new_york.strftime("%H:%M") in ("13:05", "14:05")
    # Said the day before, the day is named.
    earlier = messaging_window(conversation, now=wrote + timedelta(hours=2))
    assert earlier.reason == f"Instagram: you can reply until {in_new_york:%a %H:%M}"
    closed = messaging_window(conversation, now=wrote + timedelta(hours=26, minutes=30))
    assert not closed.open and closed.closes_at == closes_at
    assert closed.reason == "closed: the customer last wrote 26 h ago; Meta allows replies within 24 h"


def test_other_channels_are_always_open(svc, world):
    conversation = inbound(world, "sms", PHONE, received_at=utcnow() - timedelta(days=30))
    assert messaging_window(conversation) == outbound.MessagingWindow(open=True, closes_at=None, reason="")


def test_instagram_replies_are_refused_after_24_hours(svc, world):
    conversation = inbound(world, "instagram", IGSID, received_at=utcnow() - timedelta(hours=25))
    with pytest.raises(Conflict) as refused:
        queue_reply(conversation, "Sorry for the delay!", user=manager(world))
    assert refused.value.code == "messaging_window_closed"
    assert "the customer last wrote 25 h ago" in refused.value.message
    assert conversation.unread == 1 and conversation.answered_at is None


def test_an_instagram_reply_whose_window_closed_before_it_was_sent_fails_unsent(svc, world, monkeypatch):
    wrote = utcnow() - timedelta(hours=25)
    conversation = inbound(world, "instagram", IGSID, received_at=wrote)
    message = queue_reply(conversation, "Yes!", user=manager(world), now=wrote + timedelta(hours=1))
    db.session.commit()
    monkeypatch.setattr(sending, "backend_for", lambda channel: pytest.fail("no provider call expected"))
    assert send_message(message.id) == "failed"
    failed = reload(message.id)
    assert failed.status == "failed" and failed.error.startswith("not sent: Instagram reply window closed")


# -- STOP -----------------------------------------------------------------------------------


def test_sms_to_a_customer_who_replied_stop_is_refused(svc, world):
    customer = Customer(station_id=world.station.id, name="Ana", phone=PHONE)
    db.session.add(customer)
    db.session.flush()
    stop(customer)
    conversation = inbound(world, "sms", PHONE, "stop", phone=PHONE)
    assert conversation.customer_id == customer.id
    with pytest.raises(Conflict) as refused:
        queue_reply(conversation, "Noted", user=manager(world))
    assert refused.value.code == "sms_stopped" and "replied STOP" in refused.value.message


def test_a_stop_on_any_customer_with_the_number_counts_when_the_conversation_has_none(svc, world):
    conversation = inbound(world, "sms", PHONE, phone=PHONE)  # a stranger: a lead, no customer
    assert conversation.customer_id is None
    household = Customer(station_id=world.station.id, name="Bo", phone=PHONE)
    db.session.add(household)
    db.session.flush()
    stop(household)
    with pytest.raises(Conflict, match="replied STOP"):
        queue_reply(conversation, "Hello", user=manager(world))
    stop(household, granted=True, source="sms.start")  # START lifts it
    assert queue_reply(conversation, "Hello", user=manager(world)).status == "queued"


def test_a_stop_that_arrives_before_the_send_fails_the_reply_unsent(svc, world, monkeypatch):
    message = queued_sms(world)
    customer = Customer(station_id=world.station.id, name="Ana", phone=PHONE)
    db.session.add(customer)
    db.session.flush()
    stop(customer)
    db.session.commit()
    monkeypatch.setattr(sending, "backend_for", lambda channel: pytest.fail("no provider call expected"))
    assert send_message(message.id) == "failed"
    assert reload(message.id).error.startswith("not sent: This number replied STOP")


# -- web chat and the outbox ----------------------------------------------------------------


def test_a_web_chat_reply_is_marked_sent_by_the_job(svc, world):
    conversation = inbound(world, "webchat", "chat-token-2", "Do you travel to Marietta?")
    message = queue_reply(conversation, "Yes, we do.", user=manager(world))
    db.session.commit()
    assert send_message(message.id) == "sent"
    sent = reload(message.id)
    assert (sent.status, sent.backend, sent.provider_id) == ("sent", "webchat", None) and sent.sent_at is not None


def test_the_outbox_relay_runs_the_send_job_after_commit(svc, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "RAISE_INLINE_JOB_ERRORS", True)
    message = queued_sms(world)  # no Twilio configured: recorded
    # Only the send job is under test: the inbound message's classify-and-draft job is set aside.
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.job != outbound.SEND_JOB).values(dispatched_at=utcnow())
    )
    db.session.commit()
    outbox.relay()  # no Redis in tests: runs inline
    sent = reload(message.id)
    assert (sent.status, sent.backend, sent.attempts) == ("recorded", "recorded", 1)
    assert sent.provider_id.startswith("recorded-")
    assert send_message(message.id) == "recorded"  # a second run changes nothing
    assert reload(message.id).attempts == 1
