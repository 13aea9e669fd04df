"""Email over SMTP (smtplib, one connection per message; STARTTLS and login when configured).

The idempotency key becomes the Message-ID, so a retry after an unknown outcome is the
same message to every mail system that keeps one copy per Message-ID; a row that carries
its own Message-ID (an inbox reply, threaded on it) keeps that one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid, parseaddr

from app.delivery.outgoing import (
    Outgoing,
    PermanentSendError,
    SendError,
    TransientSendError,
    UncertainSendError,
)

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 15  # per socket operation; the delivery lease covers a whole send
SMTP_POLICY = SMTP.clone(cte_type="7bit")
DEFAULT_FROM = "Teppan <no-reply@teppan.local>"


def mail_domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "teppan.local"


def message_id_for(idempotency_key: str, *, mail_from: str, secret: str) -> str:
    """A Message-ID that is the same for every attempt and unique to this installation."""
    if not idempotency_key:
        return make_msgid(domain=mail_domain(mail_from))
    tag = hmac.new(secret.encode(), idempotency_key.encode(), hashlib.sha256).hexdigest()[:16]
    return f"<{idempotency_key}.{tag}@{mail_domain(mail_from)}>"


def build_mime(message: Outgoing, *, mail_from: str, message_id: str) -> MimeMessage:
    """The MIME message: plain text and (when given) HTML alternatives, our headers."""
    name, address = parseaddr(mail_from)
    # CRLF line ends and 7-bit clean bodies (quoted-printable): what SMTP's DATA wants,
    # whatever the server's extensions.
    mime = MimeMessage(policy=SMTP_POLICY)
    mime["From"] = formataddr((message.from_name or name, address))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = message.headers.get("Message-ID") or message_id
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    for header, value in message.headers.items():
        if header != "Message-ID":
            mime[header] = value
    mime.set_content(message.body_text, cte="quoted-printable")
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
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
    name = "smtp"
    retry_is_safe = True  # the same Message-ID: one message to the recipient's mail system
    records_only = False

    def __init__(self, config) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config.get("SMTP_PORT") or 587)
        self.starttls = bool(config.get("SMTP_STARTTLS"))
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD") or ""
        self.mail_from = config.get("MAIL_FROM") or DEFAULT_FROM
        self.secret = config.get("SECRET_KEY") or ""

    def _connect(self) -> smtplib.SMTP:
        if self.port == 465:  # implicit TLS
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def find_sent(self, message: Outgoing, since: datetime) -> str | None:
        return None  # SMTP has no lookup: the stable Message-ID is what makes the retry safe

    def send(self, message: Outgoing) -> str:
        try:
            Address(addr_spec=message.to)  # a malformed address fails here, before any network
            message_id = message_id_for(message.idempotency_key, mail_from=self.mail_from, secret=self.secret)
            mime = build_mime(message, mail_from=self.mail_from, message_id=message_id)
        except (ValueError, TypeError) as exc:
            raise PermanentSendError(f"cannot build the message: {exc}") from exc
        envelope_from = parseaddr(self.mail_from)[1]
        handed_over = accepted = False
        smtp = None
        try:
            smtp = self._connect()
            if self.username:
                smtp.login(self.username, self.password)
            # Envelope step by step: up to DATA nothing is delivered, so a failure there is
            # certainly "not sent"; once the content is sent the outcome is unknown until
            # the server answers it.
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
