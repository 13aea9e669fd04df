"""Instagram messages through Meta's Send API (POST {META_GRAPH_API_BASE}/me/messages).

Meta takes no idempotency key and offers no lookup of a sent message by our reference,
so a send whose outcome is unknown is not retried: it fails with the reason shown, for a
person to check the Instagram thread.
"""

from __future__ import annotations

from datetime import datetime

import requests

from app.delivery.outgoing import (
    Outgoing,
    PermanentSendError,
    SendError,
    TransientSendError,
    UncertainSendError,
)
from app.delivery.sms_twilio import connection_never_made

META_TIMEOUT = (5, 20)  # seconds: connect, read


def _meta_error(response: requests.Response) -> SendError:
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
    name = "instagram"
    retry_is_safe = False
    records_only = False

    def __init__(self, config) -> None:
        self.url = (config.get("META_GRAPH_API_BASE") or "").rstrip("/") + "/me/messages"
        self.token = config["META_PAGE_ACCESS_TOKEN"]

    def find_sent(self, message: Outgoing, since: datetime) -> str | None:
        return None

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
            if connection_never_made(exc):
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
