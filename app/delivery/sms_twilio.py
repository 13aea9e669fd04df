"""SMS through Twilio (the real SDK; `TWILIO_API_BASE` points it at a local fake in tests).

Twilio's Messages API takes no idempotency key, so a retry after an unknown outcome asks
Twilio first: the newest messages from our number to the recipient, created since the
first attempt, with the same body. Found: that is our message (its SID is recorded and
nothing is sent again). The inbound webhooks' signature check lives here too: one Twilio.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from flask import current_app, request

from app.delivery.outgoing import Outgoing, PermanentSendError, TransientSendError, UncertainSendError
from app.web.urls import public_request_url

log = logging.getLogger(__name__)

TWILIO_TIMEOUT_SECONDS = 20
TWILIO_API = "https://api.twilio.com"
# Twilio: "Attempt to send to unsubscribed recipient" (the number replied STOP).
TWILIO_UNSUBSCRIBED = 21610
LOOKUP_LIMIT = 20  # messages to the recipient looked at when checking for an earlier attempt
CLOCK_SKEW = timedelta(minutes=2)  # Twilio's clock against ours


def signature_valid(auth_token: str | None, public_url: str, form: Mapping, signature: str) -> bool:
    """Whether Twilio signed this request; False (fail closed) without a token or a signature."""
    from twilio.request_validator import RequestValidator

    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(public_url, form, signature)


def request_signed_by_twilio() -> bool:
    """Whether the current webhook request carries Twilio's signature over our public URL."""
    return signature_valid(
        current_app.config.get("TWILIO_AUTH_TOKEN"),
        public_request_url(),
        request.form,
        request.headers.get("X-Twilio-Signature", ""),
    )


def _http_client(api_base: str | None):
    """Twilio's own HTTP client, rebased onto `api_base` (a local fake in tests).

    Twilio documents custom HTTP clients as the way to change where requests go; this
    one only rewrites the https://api.twilio.com prefix and keeps everything else.
    """
    from twilio.http.http_client import TwilioHttpClient

    class RebasedHttpClient(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            if api_base and url.startswith(TWILIO_API):
                url = api_base.rstrip("/") + url[len(TWILIO_API) :]
            return super().request(method, url, *args, **kwargs)

    return RebasedHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)


def connection_never_made(exc: Exception) -> bool:
    """True when `requests` failed before the request left (refused, DNS, connect timeout)."""
    from requests.exceptions import ConnectTimeout
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class TwilioBackend:
    """twilio.rest.Client; passes the status callback URL so deliveries are reported."""

    name = "twilio"
    retry_is_safe = True  # find_sent() is asked before a retry after an unknown outcome
    records_only = False

    def __init__(self, config) -> None:
        from twilio.rest import Client

        self.from_number = config.get("TWILIO_FROM_NUMBER")
        self.client = Client(
            config["TWILIO_ACCOUNT_SID"],
            config.get("TWILIO_AUTH_TOKEN"),
            http_client=_http_client(config.get("TWILIO_API_BASE")),
            environment={},  # only our configuration counts, never stray TWILIO_* variables
        )

    def send(self, message: Outgoing) -> str:
        from requests.exceptions import RequestException
        from twilio.base.exceptions import TwilioRestException

        from_number = message.from_number or self.from_number
        if not from_number:
            raise PermanentSendError("TWILIO_FROM_NUMBER is not set")
        try:
            created = self.client.messages.create(
                to=message.to,
                from_=from_number,
                body=message.body_text,
                status_callback=message.status_callback,
            )
        except TwilioRestException as exc:
            text = f"Twilio {exc.status} (code {exc.code}): {exc.msg}"
            if exc.status == 429 or exc.status >= 500:
                raise TransientSendError(text) from exc
            if exc.code == TWILIO_UNSUBSCRIBED:
                raise PermanentSendError(text, suppress_reason="recipient opted out at Twilio (STOP)") from exc
            raise PermanentSendError(text) from exc
        except RequestException as exc:
            text = f"{type(exc).__name__}: {exc}"
            if connection_never_made(exc):
                raise TransientSendError(text) from exc
            raise UncertainSendError(text) from exc
        return created.sid

    def find_sent(self, message: Outgoing, since: datetime) -> str | None:
        """Our earlier attempt at this message, if Twilio has it (any failure: TransientSendError)."""
        from requests.exceptions import RequestException
        from twilio.base.exceptions import TwilioRestException

        from_number = message.from_number or self.from_number
        try:
            recent = self.client.messages.list(to=message.to, from_=from_number, limit=LOOKUP_LIMIT)
        except (TwilioRestException, RequestException) as exc:
            # Unknown whether it went: do not send now, ask again at the next attempt.
            raise TransientSendError(f"cannot ask Twilio about an earlier attempt: {exc}") from exc
        for earlier in recent:
            created = earlier.date_created
            if earlier.body == message.body_text and (created is None or created >= since - CLOCK_SKEW):
                log.info("Twilio already has message %s to %s: not sent again", earlier.sid, message.to)
                return earlier.sid
        return None
