"""Inbound Instagram direct messages from Meta's webhook.

Meta first checks the endpoint with a GET handshake (hub.mode=subscribe, our
hub.verify_token, a hub.challenge to echo back). Events then come as a POST signed
with X-Hub-Signature-256: HMAC-SHA256 of the raw body with the app secret.

    {"object": "instagram", "entry": [{"id": <IG account id>, "time": ..., "messaging": [
        {"sender": {"id": IGSID}, "recipient": {"id": ...}, "timestamp": <ms>,
         "message": {"mid": ..., "text": ..., "attachments": [...], "is_echo": false}}]}]}

The station is the one whose `instagram_account_id` is the entry's id. Our own sent
messages come back as echoes, and read receipts, reactions and postbacks carry no
`message`: all are skipped, as is anything not shaped like the above (Meta would
keep retrying a refused delivery).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from app.inbox.channels import clean, clip_id, station_by
from app.inbox.inbound import Inbound, receive
from app.models.station import Station

log = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
MAX_ID_CHARS = 64  # Instagram ids are numeric strings of about 17 digits
MAX_DELIVERY_BYTES = 1024 * 1024  # Meta batches events, each a few hundred bytes


def handshake_challenge(args: Mapping[str, str], verify_token: str | None) -> str | None:
    """The challenge to echo when Meta's subscription handshake carries our verify token, else None."""
    given = args.get("hub.verify_token", "")
    if not verify_token or args.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    return args.get("hub.challenge", "")


def signature_valid(app_secret: str | None, raw_body: bytes, header: str) -> bool:
    """Whether Meta signed exactly these bytes; False (fail closed) without a secret."""
    if not app_secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix(SIGNATURE_PREFIX).encode(), expected.encode())


def _objects(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text_id(value: Any) -> str | None:
    """An id Meta sent as a string or a number, if it looks like one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
        return None
    return clean(value)


def _sent_at(timestamp: Any) -> datetime | None:
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return None
    try:
        return datetime.fromtimestamp(timestamp / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str:
    return clean(value) if isinstance(value, str) else ""


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _attachments(message: dict) -> list[dict[str, str]]:
    return [
        {"type": _text(attachment.get("type")), "url": _text(_field(attachment.get("payload"), "url"))}
        for attachment in _objects(message.get("attachments"))
    ]


def inbound_messages(payload: Any) -> Iterator[tuple[Station, Inbound]]:
    """Each customer message of a webhook delivery, with the station it was sent to."""
    if not isinstance(payload, dict) or payload.get("object") != "instagram":
        return
    for entry in _objects(payload.get("entry")):
        account_id = _text_id(entry.get("id"))
        station = station_by(Station.instagram_account_id, account_id)
        if station is None:
            log.warning("Instagram event for account %r: no station has it; dropped", account_id)
            continue
        for event in _objects(entry.get("messaging")):
            message = event.get("message")
            if not isinstance(message, dict) or message.get("is_echo") or message.get("is_deleted"):
                continue  # read/delivery receipts, reactions, our own echoes, unsent messages
            sender = _text_id(_field(event.get("sender"), "id"))
            mid = clip_id(_text(message.get("mid")))
            if sender is None or mid is None:
                continue
            yield (
                station,
                Inbound(
                    channel="instagram",
                    contact=sender,
                    body=_text(message.get("text")),
                    provider_id=mid,
                    received_at=_sent_at(event.get("timestamp")),
                    meta={"attachments": _attachments(message)},
                ),
            )


def handle(payload: Any) -> int:
    """Store every customer message of a delivery; how many were new. The caller commits."""
    return sum(receive(station, inbound)[1] for station, inbound in inbound_messages(payload))
