"""Web chat for the site's widget: a visitor writes, the station answers from the inbox.

- POST /chat/messages: a visitor's message. The first one gets a new token (the chat's
  only credential, unguessable: `secrets.token_urlsafe`); later ones send it back. A
  `client_id` makes a retried POST store the message once.
- GET /chat/<token>/messages?after=<id>: the chat's messages after `after`, oldest
  first: the visitor's and the replies the station has sent (never drafts), for
  polling. (Not /chat/<token>: that would also match /chat/messages, and every answer
  there would advertise GET in its Allow header.)

Messages go through `app.inbox.inbound.receive()` like every other channel
(channel "webchat", the token as contact). Rate limit of the POST per IP:
API_RATELIMIT_CHAT (default "20 per minute"); polls share the API's read budget.
"""

from __future__ import annotations

import re
import secrets

from flask import Response, current_app, jsonify, request
from sqlalchemy import or_, select

from app.api import bp, limits
from app.api import presenters as present
from app.api import schemas as out
from app.api.errors import NotFound, read
from app.api.stations import active_station
from app.errors import ValidationFailed
from app.extensions import db, limiter
from app.inbox.inbound import Inbound, receive
from app.models.conversation import Conversation, Message
from app.web.urls import public_url

CHANNEL = "webchat"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_MESSAGES = 100  # per poll; the widget asks again with `after`
POLL_AFTER_SECONDS = 5
MAX_AFTER = 2**31 - 1  # message ids are 32-bit

chat_limit = limiter.limit(
    lambda: current_app.config.get("API_RATELIMIT_CHAT") or "20 per minute", scope="api-chat", methods=["POST"]
)


def _json(model: out.BaseModel, status: int = 200) -> Response:
    response = jsonify(present.dump(model))
    response.status_code = status
    return response


def _chat(token: str, station_id: int | None = None) -> Conversation:
    """The web chat with this token (of this station); 404 for any other token."""
    conversation = None
    if TOKEN.fullmatch(token):
        query = select(Conversation).where(Conversation.channel == CHANNEL, Conversation.contact == token)
        if station_id is not None:
            query = query.where(Conversation.station_id == station_id)
        conversation = db.session.scalars(query).first()
    if conversation is None:
        raise NotFound("There is no chat with that token.", fields={"token": "Unknown token."}, code="chat_not_found")
    return conversation


def _message_out(message: Message) -> out.ChatMessageOut:
    return out.ChatMessageOut(
        id=message.id,
        direction=message.direction,
        text=message.body,
        at=message.sent_at or message.created_at,
    )


def _poll_url(token: str) -> str:
    return public_url("api.chat_thread", token=token)


@bp.post("/chat/messages")
@chat_limit
def chat_post():
    """A visitor's chat message: 201 with the chat's token and the poll URL."""
    data, _ = read(out.ChatMessageRequest)
    station = active_station(data.station, field="station")
    if data.token is not None:
        token = _chat(data.token, station.id).contact
    else:
        token = secrets.token_urlsafe(24)
    message, _ = receive(
        station,
        Inbound(
            channel=CHANNEL,
            contact=token,
            body=data.text,
            provider_id=f"chat:{token}:{data.client_id}" if data.client_id else None,
            contact_name=data.name or "",
            email=data.email,
        ),
    )
    db.session.commit()
    answer = out.ChatPosted(token=token, message=_message_out(message), poll_url=_poll_url(token))
    return _json(answer, 201)


def _after() -> int:
    raw = request.args.get("after", "0")
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_AFTER:
        message = "'after' must be a message id (a whole number, 0 or more)."
        raise ValidationFailed(message, fields={"after": message})
    return int(raw)


@bp.get("/chat/<token>/messages")
@limits.read
def chat_thread(token: str):
    """The chat's messages after `after`: the visitor's and the station's sent replies."""
    conversation = _chat(token)
    after = _after()
    messages = db.session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.id > after,
            or_(Message.direction == "in", Message.status == "sent"),
        )
        .order_by(Message.id)
        .limit(MAX_MESSAGES)
    )
    return _json(out.ChatThread(messages=[_message_out(m) for m in messages], poll_after_seconds=POLL_AFTER_SECONDS))
