"""Issue 5's "done when", end to end through the real parts.

An SMS signed as Twilio signs it reaches the inbox with labels and a draft grounded in
the station's prices; the manager edits and approves; the SMS leaves through the twilio
SDK (against a local fake of Twilio's API); the edit is learned: the approved reply is
an example for the next draft of the same intent at that station.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.ai.drafting.offline import GENERATOR
from app.extensions import db
from app.models.conversation import Conversation, Draft, Message
from app.models.station import Station
from app.pricing import quote_for_station
from app.web.formatting import money
from tests.bookings.conftest import add_chef
from tests.notifications.conftest import TWILIO_TOKEN, TwilioFake, twilio  # noqa: F401

STATION_NUMBER = "+14045550100"
CUSTOMER = "+14045550123"


@pytest.fixture(autouse=True)
def _inline_job_errors_raise(app, monkeypatch):
    monkeypatch.setitem(app.config, "RAISE_INLINE_JOB_ERRORS", True)


@pytest.fixture
def station(app, world):
    with app.app_context():
        alpha = db.session.get(Station, world.station.id)
        alpha.sms_number = STATION_NUMBER
        add_chef(alpha, "Kenji")
        db.session.commit()
        return alpha.id


def _text_in(client, body: str, sid: str):
    """POST the message to our webhook exactly as Twilio would, signature included."""
    url = "http://localhost/webhooks/twilio/sms"  # PUBLIC_BASE_URL in tests + the path
    form = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": CUSTOMER, "To": STATION_NUMBER, "Body": body}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    return client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})


def test_an_sms_is_labelled_drafted_approved_sent_and_learned(app, world, station, twilio, as_role, client):  # noqa: F811
    response = _text_in(client, "Hi! How much would it be for 12 adults? Thanks", "SM" + "1" * 32)
    assert response.status_code == 200 and response.mimetype == "text/xml"

    with app.app_context():
        message = db.session.scalar(select(Message).where(Message.provider_id == "SM" + "1" * 32))
        assert (message.intent, message.language, message.classifier) == ("quote_request", "en", "offline")
        draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
        assert draft.status == "ready" and draft.generator == GENERATOR
        alpha = db.session.get(Station, station)
        total = quote_for_station(alpha, {"adults": 12}, to_zip=None, config=app.config).total_cents
        assert money(total) in draft.body  # the exact quote, from the pricing service
        conversation_id, draft_id = message.conversation_id, draft.id

    manager = as_role("manager")
    page = manager.get("/s/alpha/inbox/").get_data(as_text=True)
    assert CUSTOMER in page and "quote request" in page
    page = manager.get(f"/s/alpha/inbox/{conversation_id}").get_data(as_text=True)
    assert "How much would it be for 12 adults?" in page and money(total) in page

    with app.app_context():
        body = db.session.get(Draft, draft_id).body
    edited = body + " Our chefs bring everything!"
    sent = manager.post_form(f"/s/alpha/inbox/{conversation_id}/draft/send", {"text": edited, "draft_id": draft_id})
    assert sent.status_code == 303

    (posted,) = twilio.sent  # through the twilio SDK, once
    assert (posted["To"], posted["From"], posted["Body"]) == (CUSTOMER, STATION_NUMBER, edited)
    with app.app_context():
        reply = db.session.scalar(select(Message).where(Message.direction == "out"))
        assert reply.status == "sent" and reply.provider_id == posted["sid"]
        approved = db.session.get(Draft, draft_id)
        assert approved.sent_body == edited and approved.edit_distance == len(" Our chefs bring everything!")
        assert not db.session.get(Conversation, conversation_id).awaiting_reply

    # Twilio reports delivery on the signed status callback; the thread shows it.
    status_url = "http://localhost/webhooks/twilio/status"
    status_form = {"MessageSid": posted["sid"], "MessageStatus": "delivered"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(status_url, status_form)
    assert (
        client.post("/webhooks/twilio/status", data=status_form, headers={"X-Twilio-Signature": signature}).status_code
        == 204
    )
    with app.app_context():
        assert db.session.scalar(select(Message).where(Message.direction == "out")).delivery_status == "delivered"

    # The edit is learned: the next quote request's draft is grounded on the approved reply.
    _text_in(client, "How much for 15 adults and 2 kids?", "SM" + "2" * 32)
    with app.app_context():
        second = db.session.scalar(
            select(Draft).join(Message, Message.id == Draft.message_id).where(Message.provider_id == "SM" + "2" * 32)
        )
        assert second.status == "ready" and draft_id in second.grounding["examples"]
        assert "Our chefs bring everything!" in second.body  # the manager's addition, carried over
        assert second.grounding["learned"] == {"from_draft": draft_id, "sentences": ["Our chefs bring everything!"]}
        alpha = db.session.get(Station, station)
        total = quote_for_station(alpha, {"adults": 15, "children": 2}, to_zip=None, config=app.config).total_cents
        assert money(total) in second.body  # the new party's own quote, not the old one
