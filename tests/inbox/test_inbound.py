"""Storing inbound messages: dedupe, threading, customer or lead, the AI job emitted."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.inbox.inbound import Inbound, receive
from app.models.conversation import Conversation, Message
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.outbox import OutboxMessage
from app.models.station import Station


def _station(world) -> Station:
    return db.session.get(Station, world.station.id)


def test_first_message_from_a_stranger_opens_a_conversation_and_a_lead(app, world):
    with app.app_context():
        station = _station(world)
        message, created = receive(
            station, Inbound("sms", "+15551230001", "Hi, price for 12 people?", provider_id="SM1", phone="+15551230001")
        )
        db.session.flush()
        assert created and message.direction == "in" and message.status == "received"
        conversation = message.conversation
        assert conversation.unread == 1 and conversation.awaiting_reply
        assert conversation.last_preview == "Hi, price for 12 people?"
        lead = db.session.get(Lead, conversation.lead_id)
        assert lead.source == "sms" and lead.phone == "+15551230001" and lead.stage == "new"
        job = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"inbound-{message.id}"))
        assert job.job == "conversations.process_inbound" and job.payload == {"message_id": message.id}


def test_a_repeated_delivery_is_stored_once(app, world):
    with app.app_context():
        station = _station(world)
        inbound = Inbound("sms", "+15551230002", "hello", provider_id="SM2", phone="+15551230002")
        first, created = receive(station, inbound)
        again, created_again = receive(station, inbound)
        assert created and not created_again and again.id == first.id
        assert db.session.scalar(select(func.count(Message.id)).where(Message.provider_id == "SM2")) == 1
        assert db.session.get(Conversation, first.conversation_id).unread == 1


def test_a_known_customer_is_attached_instead_of_a_lead(app, world):
    with app.app_context():
        station = _station(world)
        customer = Customer(station_id=station.id, name="Ana Ruiz", email="ana@example.com", phone="+15551230003")
        db.session.add(customer)
        db.session.flush()
        message, _ = receive(
            station,
            Inbound("email", "ana@example.com", "Can we move to Sunday?", provider_id="<a@x>", email="ana@example.com"),
        )
        assert message.conversation.customer_id == customer.id and message.conversation.lead_id is None


def test_an_email_reply_follows_its_thread(app, world):
    with app.app_context():
        station = _station(world)
        first, _ = receive(
            station, Inbound("email", "bo@example.com", "Quote?", provider_id="<m1@x>", email="bo@example.com")
        )
        reply, _ = receive(
            station,
            Inbound("email", "bo@work.example", "Also vegetarian?", provider_id="<m2@x>", in_reply_to="<m1@x>"),
        )
        assert reply.conversation_id == first.conversation_id
        assert db.session.get(Conversation, first.conversation_id).unread == 2


def test_each_station_has_its_own_conversation_with_the_same_contact(app, world):
    with app.app_context():
        one, _ = receive(_station(world), Inbound("sms", "+15551230004", "hi", provider_id="SM4a"))
        other, _ = receive(
            db.session.get(Station, world.other.id), Inbound("sms", "+15551230004", "hi", provider_id="SM4b")
        )
        assert one.conversation_id != other.conversation_id
