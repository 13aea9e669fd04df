"""Delivery backends behind one interface: SMTP, Twilio, and the embedded recorder.

`backend_for(channel)` picks the real adapter when it is configured (SMTP_HOST for
email, TWILIO_ACCOUNT_SID for SMS) and the recorder otherwise: the recorder makes no
network call, it only answers with a local id, and the row it leaves is what the Sent
messages page shows.

Every failure is classified, because the caller's at-most-once promise depends on it:
- `TransientSendError`: the provider certainly did not take the message (connection
  refused, SMTP 4xx before or at DATA, Twilio 429/5xx): safe to send again later.
- `PermanentSendError`: refused for good (bad address, SMTP 5xx, Twilio 4xx).
- `UncertainSendError`: the request may have gone through (timeout or disconnect after
  the message was handed over): never retried, since a retry could send it twice.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid, parseaddr
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20
TWILIO_TIMEOUT_SECONDS = 20
TWILIO_API = "https://api.twilio.com"
SMTP_POLICY = SMTP.clone(cte_type="7bit")
# Twilio: "Attempt to send to unsubscribed recipient" (the number replied STOP).
TWILIO_UNSUBSCRIBED = 21610


class SendError(Exception):
    """A delivery that did not (or may not) happen; see the subclasses."""


class TransientSendError(SendError):
    """Not delivered; trying again later may work."""


class PermanentSendError(SendError):
    """Refused for good; `skip_reason` set when it means "do not contact" (STOP)."""

    def __init__(self, message: str, *, skip_reason: str | None = None) -> None:
        super().__init__(message)
        self.skip_reason = skip_reason


class UncertainSendError(SendError):
    """The provider may have taken the message: not retried (at most once)."""


@dataclass(frozen=True)
class Outgoing:
    """A message ready for a backend: plain values only, no ORM rows (no DB access)."""

    channel: str  # email | sms
    to: str
    body_text: str
    subject: str = ""
    body_html: str | None = None
    from_name: str = ""
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status_callback: str | None = None
    from_number: str | None = None  # SMS: the station's own number (else TWILIO_FROM_NUMBER)


class Backend(Protocol):
    name: str

    def send(self, message: Outgoing) -> str:
        """Hand the message over; return the provider's id for it."""


# -- the embedded default -----------------------------------------------------------------


class RecordedBackend:
    """No SMTP / no Twilio configured: the row is the delivery (shown on Sent messages)."""

    name = "recorded"

    def send(self, message: Outgoing) -> str:
        log.info("%s recorded (no provider configured) for %s", message.channel, message.to)
        return f"recorded-{uuid.uuid4().hex[:20]}"


# -- email over SMTP ----------------------------------------------------------------------


def mail_domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "teppan.local"


def build_mime(message: Outgoing, *, mail_from: str) -> MimeMessage:
    """The MIME message: plain text and (when given) HTML alternatives, our headers."""
    name, address = parseaddr(mail_from)
    # CRLF line ends and 7-bit clean bodies (quoted-printable): what SMTP's DATA wants,
    # whatever the server's extensions.
    mime = MimeMessage(policy=SMTP_POLICY)
    mime["From"] = formataddr((message.from_name or name, address))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = message.headers.get("Message-ID") or make_msgid(domain=mail_domain(mail_from))
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    for header, value in message.headers.items():
        if header != "Message-ID":
            mime[header] = value
    mime.set_content(message.body_text, cte="quoted-printable")
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    return mime


def _smtp_error(exc: smtplib.SMTPResponseException, what: str) -> SendError:
    text = f"{what}: SMTP {exc.smtp_code} {exc.smtp_error!r}"
    return TransientSendError(text) if 400 <= exc.smtp_code < 500 else PermanentSendError(text)


def _quit_quietly(smtp: smtplib.SMTP, accepted: bool) -> None:
    """QUIT and close; a failing QUIT changes nothing about a message already accepted."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        if accepted:
            log.debug("SMTP QUIT failed after the message was accepted")
        smtp.close()


class SmtpBackend:
    """smtplib, one connection per message; STARTTLS and login when configured."""

    name = "smtp"

    def __init__(self, config) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config.get("SMTP_PORT") or 587)
        self.starttls = bool(config.get("SMTP_STARTTLS"))
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD") or ""
        self.mail_from = config.get("MAIL_FROM") or "Teppan <no-reply@teppan.local>"

    def _connect(self) -> smtplib.SMTP:
        if self.port == 465:  # implicit TLS
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: Outgoing) -> str:
        try:
            Address(addr_spec=message.to)  # a malformed address fails here, before any network
            mime = build_mime(message, mail_from=self.mail_from)
        except (ValueError, TypeError) as exc:
            raise PermanentSendError(f"cannot build the message: {exc}") from exc
        envelope_from = parseaddr(self.mail_from)[1]
        handed_over = accepted = False
        smtp = None
        try:
            smtp = self._connect()
            if self.username:
                smtp.login(self.username, self.password)
            # Envelope step by step: up to DATA nothing is delivered, so a failure
            # there is safe to retry; once the content is sent the outcome is unknown
            # until the server answers it.
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(envelope_from)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, envelope_from)
            code, reply = smtp.rcpt(message.to)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({message.to: (code, reply)})
            handed_over = True
            code, reply = smtp.data(mime.as_bytes())
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            accepted = True
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _smtp_error(smtplib.SMTPResponseException(code, reply), "recipient refused") from exc
        except smtplib.SMTPDataError as exc:
            # The server answered DATA (or the content) with an error: not accepted.
            raise _smtp_error(exc, "message refused") from exc
        except smtplib.SMTPResponseException as exc:
            if handed_over:
                raise UncertainSendError(f"SMTP {exc.smtp_code} while sending the content") from exc
            raise _smtp_error(exc, "refused") from exc
        except (OSError, smtplib.SMTPException) as exc:
            if handed_over:
                raise UncertainSendError(f"{type(exc).__name__} while sending the content: {exc}") from exc
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            if smtp is not None:
                _quit_quietly(smtp, accepted)
        return mime["Message-ID"]


# -- SMS through Twilio -------------------------------------------------------------------


def _twilio_http_client(api_base: str | None):
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


def _connection_never_made(exc: Exception) -> bool:
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

    def __init__(self, config) -> None:
        from twilio.rest import Client

        self.from_number = config.get("TWILIO_FROM_NUMBER")
        self.client = Client(
            config["TWILIO_ACCOUNT_SID"],
            config.get("TWILIO_AUTH_TOKEN"),
            http_client=_twilio_http_client(config.get("TWILIO_API_BASE")),
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
                raise PermanentSendError(text, skip_reason="recipient opted out at Twilio (STOP)") from exc
            raise PermanentSendError(text) from exc
        except RequestException as exc:
            text = f"{type(exc).__name__}: {exc}"
            if _connection_never_made(exc):
                raise TransientSendError(text) from exc
            raise UncertainSendError(text) from exc
        return created.sid


def backend_for(channel: str) -> Backend:
    config = current_app.config
    if channel == "email":
        return SmtpBackend(config) if config.get("SMTP_HOST") else RecordedBackend()
    if channel == "sms":
        return TwilioBackend(config) if config.get("TWILIO_ACCOUNT_SID") else RecordedBackend()
    raise ValueError(f"unknown channel {channel!r}")
