"""Instagram messages through Meta's webhook: the handshake, signed events, what is skipped."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.conversation import Conversation, Message
from app.models.station import Station

SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"
ACCOUNT = "17841400000000001"
OTHER_ACCOUNT = "17841400000000002"
CUSTOMER = "6543210987654321"
SENT_AT_MS = 1_795_000_000_123


@pytest.fixture
def alpha(app, world, monkeypatch):
    """Station alpha owns ACCOUNT; beta owns OTHER_ACCOUNT; Meta's secrets are configured."""
    monkeypatch.setitem(app.config, "META_APP_SECRET", SECRET)
    monkeypatch.setitem(app.config, "META_VERIFY_TOKEN", VERIFY_TOKEN)
    with app.app_context():
        db.session.get(Station, world.station.id).instagram_account_id = ACCOUNT
        db.session.get(Station, world.other.id).instagram_account_id = OTHER_ACCOUNT
        db.session.commit()
    return world.station


def event(mid: str = "m_1", text: str = "Hola! Do you do birthdays?", **message) -> dict:
    return {
        "sender": {"id": CUSTOMER},
        "recipient": {"id": ACCOUNT},
        "timestamp": SENT_AT_MS,
        "message": {"mid": mid, "text": text, **message},
    }


def delivery(*events: dict, account: str = ACCOUNT) -> bytes:
    payload = {"object": "instagram", "entry": [{"id": account, "time": SENT_AT_MS, "messaging": list(events)}]}
    return json.dumps(payload).encode()


def post_events(client, body: bytes, *, secret: str = SECRET, signature: str | None = None):
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/webhooks/meta",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def messages(app) -> list[Message]:
    with app.app_context():
        return list(db.session.scalars(select(Message).where(Message.channel == "instagram").order_by(Message.id)))


def test_the_handshake_echoes_the_challenge_for_our_verify_token(client, alpha):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = client.get("/webhooks/meta", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "1158201444"
    assert client.get("/webhooks/meta", query_string={**query, "hub.verify_token": "guess"}).status_code == 403
    assert client.get("/webhooks/meta", query_string={**query, "hub.mode": "unsubscribe"}).status_code == 403


def test_without_a_verify_token_the_handshake_fails(app, client, alpha, monkeypatch):
    monkeypatch.setitem(app.config, "META_VERIFY_TOKEN", None)
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get("/webhooks/meta", query_string=query).status_code == 403


def test_a_signed_message_is_stored_once(app, client, alpha):
    body = delivery(event(attachments=[{"type": "image", "payload": {"url": "https://lookaside.example/1.jpg"}}]))
    first = post_events(client, body)
    again = post_events(client, body)
    assert first.status_code == again.status_code == 200
    assert first.get_data(as_text=True) == "EVENT_RECEIVED"
    (message,) = messages(app)
    assert (message.station_id, message.provider_id, message.body) == (alpha.id, "m_1", "Hola! Do you do birthdays?")
    assert message.created_at == datetime.fromtimestamp(SENT_AT_MS / 1000, UTC)
    assert message.meta == {"attachments": [{"type": "image", "url": "https://lookaside.example/1.jpg"}]}
    with app.app_context():
        assert db.session.get(Conversation, message.conversation_id).contact == CUSTOMER


def test_each_entry_goes_to_its_own_station(app, client, alpha, world):
    payload = {
        "object": "instagram",
        "entry": [
            {"id": ACCOUNT, "time": 1, "messaging": [event("m_a")]},
            {"id": OTHER_ACCOUNT, "time": 1, "messaging": [event("m_b")]},
            {"id": "17841400000000999", "time": 1, "messaging": [event("m_c")]},  # no station
        ],
    }
    assert post_events(client, json.dumps(payload).encode()).status_code == 200
    assert {(m.provider_id, m.station_id) for m in messages(app)} == {("m_a", alpha.id), ("m_b", world.other.id)}


def test_echoes_receipts_and_reactions_are_skipped(app, client, alpha):
    body = delivery(
        event("m_echo", "our own reply", is_echo=True),
        {"sender": {"id": CUSTOMER}, "recipient": {"id": ACCOUNT}, "timestamp": 1, "read": {"mid": "m_0"}},
        {"sender": {"id": CUSTOMER}, "recipient": {"id": ACCOUNT}, "timestamp": 1, "reaction": {"mid": "m_0"}},
        event("m_gone", "", is_deleted=True),
        event("m_real", "A real one"),
    )
    assert post_events(client, body).status_code == 200
    assert [m.provider_id for m in messages(app)] == ["m_real"]


@pytest.mark.parametrize(
    "sign",
    [{"secret": "not-the-secret"}, {"signature": ""}, {"signature": "sha1=abc"}],
    ids=["wrong secret", "unsigned", "other scheme"],
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(app, client, alpha, sign):
    assert post_events(client, delivery(event()), **sign).status_code == 403
    assert messages(app) == []


def test_the_signature_covers_the_exact_bytes(app, client, alpha):
    body = delivery(event())
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    reformatted = json.dumps(json.loads(body), indent=2).encode()  # same JSON, other bytes
    assert post_events(client, reformatted, signature=signature).status_code == 403
    assert messages(app) == []


def test_without_an_app_secret_every_event_is_refused(app, client, alpha, monkeypatch):
    monkeypatch.setitem(app.config, "META_APP_SECRET", None)
    assert post_events(client, delivery(event()), secret="").status_code == 403
    assert messages(app) == []


def test_malformed_json_with_a_valid_signature_is_a_400(app, client, alpha):
    response = post_events(client, b'{"object": "instagram", "entry": [')
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert messages(app) == []


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"object": "page", "entry": [{"id": ACCOUNT, "messaging": [event()]}]},
        {"object": "instagram", "entry": "nope"},
        {"object": "instagram", "entry": [{"id": ACCOUNT, "messaging": [{"message": {"mid": "m_x"}}]}]},
        {"object": "instagram", "entry": [{"id": ACCOUNT, "messaging": [event(mid=None)]}]},
        {"object": "instagram", "entry": [{"id": ACCOUNT, "messaging": [{**event(), "timestamp": 10**30}]}]},
        {"object": "instagram", "entry": [{"id": ACCOUNT, "messaging": [event(text="nul\u0000byte")]}]},
    ],
    ids=["not an object", "not instagram", "entry not a list", "no sender", "no mid", "absurd time", "NUL"],
)
def test_odd_payloads_never_fail(app, client, alpha, payload):
    assert post_events(client, json.dumps(payload).encode()).status_code == 200
    assert all("\x00" not in m.body for m in messages(app))


def test_an_oversized_delivery_is_refused_before_it_is_read(app, client, alpha):
    body = delivery(event(text="x" * (1024 * 1024)))
    assert post_events(client, body).status_code == 413
    assert messages(app) == []
