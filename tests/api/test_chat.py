"""The web chat API: a visitor's messages in, the station's sent replies out, by token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.conversation import Conversation, Draft, Message
from app.models.lead import Lead
from tests.api.conftest import API, assert_error

POST = f"{API}/chat/messages"


def say(client, text: str = "Hi! Are you free on June 5th?", **fields):
    return client.post(POST, json={"station": "alpha", "text": text, **fields})


def thread(client, token: str, **query):
    return client.get(f"{API}/chat/{token}/messages", query_string=query)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return db.session.scalar(select(func.count(Conversation.id))), db.session.scalar(select(func.count(Message.id)))


def reply(app, token: str, text: str, status: str) -> int:
    """An outbound message of the station in this chat, in the given state."""
    with app.app_context():
        conversation = db.session.scalars(select(Conversation).where(Conversation.contact == token)).one()
        message = Message(
            station_id=conversation.station_id,
            conversation_id=conversation.id,
            channel="webchat",
            direction="out",
            body=text,
            status=status,
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def test_a_first_message_opens_a_chat_with_a_new_token(app, client, world):
    response = say(client, name="Grace Hopper", email="Grace@Example.com")
    assert response.status_code == 201
    body = response.get_json()
    token = body["token"]
    assert len(token) >= 32
    assert body["poll_url"] == f"http://localhost{API}/chat/{token}/messages"
    assert body["message"]["direction"] == "in" and body["message"]["text"] == "Hi! Are you free on June 5th?"
    with app.app_context():
        conversation = db.session.scalars(select(Conversation).where(Conversation.contact == token)).one()
        assert (conversation.station_id, conversation.channel, conversation.contact_name) == (
            world.station.id,
            "webchat",
            "Grace Hopper",
        )
        lead = db.session.get(Lead, conversation.lead_id)
        assert (lead.source, lead.email) == ("webchat", "grace@example.com")


def test_a_chat_round_trip_with_after(app, client, world):
    token = say(client, "First question").get_json()["token"]
    second = say(client, "Second question", token=token)
    assert second.status_code == 201 and second.get_json()["token"] == token
    assert counts(app) == (1, 2)

    answered = reply(app, token, "Yes, June 5th works!", "sent")
    reply(app, token, "Still queued", "queued")
    reply(app, token, "Could not send", "failed")
    with app.app_context():
        # The AI job (run inline after the commit) drafted a reply: staff see it, the visitor never does.
        conversation_id = db.session.scalar(select(Conversation.id).where(Conversation.contact == token))
        assert db.session.scalar(select(Draft.id).where(Draft.conversation_id == conversation_id)) is not None

    response = thread(client, token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["poll_after_seconds"] == 5
    assert [(m["direction"], m["text"]) for m in body["messages"]] == [
        ("in", "First question"),
        ("in", "Second question"),
        ("out", "Yes, June 5th works!"),
    ]
    first_id = body["messages"][0]["id"]
    later = thread(client, token, after=first_id).get_json()["messages"]
    assert [m["text"] for m in later] == ["Second question", "Yes, June 5th works!"]
    assert thread(client, token, after=answered).get_json()["messages"] == []


def test_a_retried_post_with_the_same_client_id_is_stored_once(app, client, world):
    token = say(client, "Hello").get_json()["token"]
    first = say(client, "Party for 20?", token=token, client_id="m-1")
    again = say(client, "Party for 20?", token=token, client_id="m-1")
    assert first.status_code == again.status_code == 201
    assert first.get_json()["message"]["id"] == again.get_json()["message"]["id"]
    assert counts(app) == (1, 2)


def test_a_token_of_another_station_is_not_found(app, client, world):
    token = say(client).get_json()["token"]
    response = client.post(POST, json={"station": "beta", "text": "hi", "token": token})
    assert_error(response, 404, "chat_not_found")
    assert counts(app) == (1, 1)


def test_an_unknown_token_is_not_found(app, client, world):
    assert_error(say(client, token="A" * 32), 404, "chat_not_found")
    assert_error(thread(client, "A" * 32), 404, "chat_not_found")
    assert_error(thread(client, "short"), 404, "chat_not_found")
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "", "99999999999999999999", "١٢"])
def test_a_bad_after_is_a_422(client, world, after):
    token = say(client).get_json()["token"]
    error = assert_error(thread(client, token, after=after), 422, "validation_failed")
    assert "after" in error["fields"]


@pytest.mark.parametrize(
    ("send", "status", "field"),
    [
        ({"data": b'{"station": "alpha", "text": ', "content_type": "application/json"}, 400, None),
        ({"data": b"", "content_type": "application/json"}, 400, None),
        ({"json": ["a list"]}, 400, None),
        ({"json": {"station": "alpha"}}, 422, "text"),
        ({"json": {"text": "hi"}}, 422, "station"),
        ({"json": {"station": "alpha", "text": "x" * 2001}}, 422, "text"),
        ({"json": {"station": "alpha", "text": "   "}}, 422, "text"),
        ({"json": {"station": "alpha", "text": "nul \u0000 byte"}}, 422, "text"),
        ({"json": {"station": "alpha", "text": "hi", "email": "not-an-email"}}, 422, "email"),
        ({"json": {"station": "alpha", "text": "hi", "token": "short"}}, 422, "token"),
        ({"json": {"station": "alpha", "text": "hi", "client_id": "has spaces"}}, 422, "client_id"),
        ({"json": {"station": "alpha", "text": "hi", "admin": True}}, 422, "admin"),
        ({"json": {"station": "alpha", "text": 42}}, 422, "text"),
        ({"json": {"station": "nowhere", "text": "hi"}}, 404, "station"),
        ({"json": {"station": "Alpha!", "text": "hi"}}, 404, "station"),
    ],
    ids=[
        "malformed json",
        "empty body",
        "not an object",
        "no text",
        "no station",
        "text too long",
        "blank text",
        "NUL byte",
        "bad email",
        "bad token",
        "bad client id",
        "unknown field",
        "text not a string",
        "unknown station",
        "not a slug",
    ],
)
def test_bad_input_is_refused_with_json_and_nothing_is_written(app, client, world, send, status, field):
    error = assert_error(client.post(POST, **send), status)
    if field is not None:
        assert field in error["fields"], error
    assert counts(app) == (0, 0)


def test_posts_are_rate_limited_per_ip(make_app, world):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", API_RATELIMIT_CHAT="2 per minute")
    client = limited.test_client()

    def say_from(ip: str):
        return client.post(POST, json={"station": "alpha", "text": "hi"}, environ_base={"REMOTE_ADDR": ip})

    assert [say_from("203.0.113.8").status_code for _ in range(2)] == [201, 201]
    assert_error(say_from("203.0.113.8"), 429, "rate_limited")
    assert say_from("203.0.113.9").status_code == 201
