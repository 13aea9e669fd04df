"""Inbound SMS through the Twilio webhook, signed the way Twilio signs it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models.conversation import Conversation, Message
from app.models.customer import ConsentRecord, Customer
from app.models.station import Station
from app.notifications import policy

TOKEN = "twilio-test-auth-token"
URL = "http://localhost/webhooks/twilio/sms"  # PUBLIC_BASE_URL of the testing config + path
STATION_NUMBER = "+14045550199"
CUSTOMER = "+14045550142"

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pytest.fixture
def alpha(app, world, monkeypatch):
    """Station alpha answers STATION_NUMBER; Twilio's auth token is configured."""
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", TOKEN)
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        station.sms_number = STATION_NUMBER
        station.phone = "+14045550100"
        db.session.commit()
    return world.station


def sms_form(body: str, sid: str = "SM" + "a" * 32, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": CUSTOMER,
        "To": STATION_NUMBER,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


def post_sms(client, form: dict, *, token: str = TOKEN, url: str = URL, signature: str | None = None, query=""):
    signature = signature if signature is not None else RequestValidator(token).compute_signature(url + query, form)
    return client.post(f"/webhooks/twilio/sms{query}", data=form, headers={"X-Twilio-Signature": signature})


def messages(app) -> list[Message]:
    with app.app_context():
        return list(db.session.scalars(select(Message).where(Message.channel == "sms").order_by(Message.id)))


def consent_rows(app) -> list[ConsentRecord]:
    with app.app_context():
        return list(db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))


def stopped(app, phone: str = CUSTOMER) -> bool:
    with app.app_context():
        customer = db.session.scalars(select(Customer).where(Customer.phone == phone)).one()
        return policy.sms_stopped(customer)


def test_a_signed_sms_is_stored_once_and_answered_with_empty_twiml(app, client, alpha):
    form = sms_form(
        "Hi, price for 12 people on Saturday?",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1",
    )
    first = post_sms(client, form)
    again = post_sms(client, form)  # Twilio retries a webhook it thinks failed
    assert first.status_code == again.status_code == 200
    assert first.mimetype == "text/xml" and first.get_data(as_text=True) == EMPTY_TWIML
    (message,) = messages(app)
    assert message.body == "Hi, price for 12 people on Saturday?"
    assert message.provider_id == form["MessageSid"] and message.station_id == alpha.id
    assert message.meta == {"media": [form["MediaUrl0"]]}
    with app.app_context():
        conversation = db.session.get(Conversation, message.conversation_id)
        assert conversation.contact == CUSTOMER and conversation.lead.phone == CUSTOMER


def test_a_national_sender_number_is_stored_in_e164(app, client, alpha):
    assert post_sms(client, sms_form("hello", From="(404) 555-0142")).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Conversation.contact).where(Conversation.channel == "sms")) == CUSTOMER


@pytest.mark.parametrize(
    "sign",
    [
        {"token": "not-the-token"},
        {"url": "http://evil.example/webhooks/twilio/sms"},  # the Host header is never trusted
        {"signature": ""},
    ],
    ids=["wrong token", "other url", "unsigned"],
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(app, client, alpha, sign):
    assert post_sms(client, sms_form("hello"), **sign).status_code == 403
    assert messages(app) == []


def test_without_an_auth_token_every_sms_is_refused(app, client, alpha, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", None)
    assert post_sms(client, sms_form("hello")).status_code == 403
    assert messages(app) == []


def test_the_query_string_is_part_of_the_signed_url(app, client, alpha):
    assert post_sms(client, sms_form("hello"), query="?station=alpha").status_code == 200
    assert len(messages(app)) == 1


def test_an_unknown_number_is_acknowledged_and_dropped(app, client, alpha):
    response = post_sms(client, sms_form("hello", To="+14045550123"))
    assert response.status_code == 200 and response.get_data(as_text=True) == EMPTY_TWIML
    assert messages(app) == []


def test_stop_and_start_keep_the_consent_ledger(app, client, alpha):
    response = post_sms(client, sms_form("  Stop ", sid="SM-stop"))
    assert response.status_code == 200 and response.get_data(as_text=True) == EMPTY_TWIML
    (stop,) = consent_rows(app)
    assert (stop.channel, stop.purpose, stop.source, stop.granted) == ("sms", "transactional", "sms.stop", False)
    assert stopped(app)
    (message,) = messages(app)
    assert message.meta["keyword"] == "stop" and message.body == "  Stop "

    assert post_sms(client, sms_form("START", sid="SM-start")).status_code == 200
    assert [row.source for row in consent_rows(app)] == ["sms.stop", "sms.start"]
    assert not stopped(app)
    with app.app_context():
        customer = db.session.scalars(select(Customer).where(Customer.phone == CUSTOMER)).one()
        assert customer.sms_consent is False  # START lifts the STOP; it is no marketing opt-in
        # The keyword messages sit in the customer's conversation, not a new lead's.
        conversation = db.session.scalar(select(Conversation).where(Conversation.channel == "sms"))
        assert conversation.customer_id == customer.id and conversation.lead_id is None


def test_a_retried_old_stop_does_not_undo_a_later_start(app, client, alpha):
    post_sms(client, sms_form("STOP", sid="SM-stop"))
    post_sms(client, sms_form("unstop", sid="SM-start"))
    post_sms(client, sms_form("STOP", sid="SM-stop"))  # Twilio's retry of the first delivery
    assert [row.source for row in consent_rows(app)] == ["sms.stop", "sms.start"]
    assert not stopped(app)


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "end", "QUIT"])
def test_every_opt_out_keyword_stops(app, client, alpha, word):
    post_sms(client, sms_form(word))
    assert stopped(app)


def test_a_sentence_with_stop_in_it_is_an_ordinary_message(app, client, alpha):
    post_sms(client, sms_form("Please stop by at 6"))
    assert consent_rows(app) == []
    assert "keyword" not in messages(app)[0].meta


def test_help_answers_with_the_station_and_its_phone(app, client, alpha):
    response = post_sms(client, sms_form("help"))
    assert response.status_code == 200 and response.mimetype == "text/xml"
    reply = response.get_data(as_text=True)
    assert "<Message>Alpha: " in reply and "(404) 555-0100" in reply and "STOP" in reply
    assert consent_rows(app) == []
    assert messages(app)[0].meta["keyword"] == "help"


def test_nothing_is_counted_twice(app, client, alpha):
    for _ in range(3):
        post_sms(client, sms_form("STOP"))
    with app.app_context():
        assert db.session.scalar(select(func.count(Customer.id))) == 1
    assert len(consent_rows(app)) == 1 and len(messages(app)) == 1


def test_yes_is_a_message_unless_the_number_is_stopped(app, world, monkeypatch):
    """A plain "Yes" answers our question (drafted for); only after a STOP does it opt back in."""
    from app.inbox.channels import sms

    with app.app_context():
        station = db.session.get(Station, world.station.id)
        station.sms_number = "+14045550100"
        db.session.flush()
        form = {"From": "+14045550155", "To": "+14045550100", "Body": "Yes", "MessageSid": "SMyes1"}
        sms.handle(form)
        first = db.session.scalar(select(Message).where(Message.provider_id == "SMyes1"))
        assert "keyword" not in first.meta
        sms.handle({**form, "Body": "STOP", "MessageSid": "SMstop1"})
        sms.handle({**form, "Body": "yes!", "MessageSid": "SMyes2"})
        again = db.session.scalar(select(Message).where(Message.provider_id == "SMyes2"))
        assert again.meta["keyword"] == "start"
        customer = db.session.get(Customer, first.conversation.customer_id or again.conversation.customer_id)
        assert not policy.sms_stopped(customer) and customer.sms_consent is False  # texts resumed, no marketing opt-in
