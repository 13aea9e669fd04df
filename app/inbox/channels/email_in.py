"""Inbound email: one raw MIME message, from the inbound-parse webhook or the IMAP poll.

    outcome = receive_raw(raw_bytes)   # "stored", "duplicate" or why it was skipped; the caller commits

The station is the first recipient (Delivered-To, X-Original-To, To, Cc) that is a
station's `inbox_email`. Auto-replies, bounces and our own mail are skipped so that
two autoresponders never talk to each other through the inbox. The body is the
text/plain part (else the HTML part as text) without the quoted reply history; the
Message-ID dedupes a second delivery and In-Reply-To / References thread a reply
into its conversation (see inbound.receive).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from flask import current_app
from sqlalchemy import func, select

from app.customers.contact import normalise_email
from app.extensions import db
from app.inbox.channels import clean, clip_id
from app.inbox.inbound import Inbound, receive
from app.models.station import Station

log = logging.getLogger(__name__)

MAX_EMAIL_BYTES = 10 * 1024 * 1024  # a few phone photos; anything bigger is refused (413)
CONTACT_CHARS = 255  # Conversation.contact
MAX_REFERENCES = 20  # a long thread lists every ancestor; the recent ones are enough
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Where quoted history starts: "On Mon, 1 Dec 2026, Ana <ana@example.com> wrote:" (often
# wrapped onto two lines), its Spanish form, and Outlook's separator.
QUOTE_HEADER = re.compile(r"^\s*(On\s.+\swrote|El\s.+\sescribió)\s*:\s*$", re.IGNORECASE | re.DOTALL)
OUTLOOK_SEPARATOR = re.compile(r"^\s*-{3,}\s*Original Message\s*-{3,}\s*$", re.IGNORECASE)
BULK_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}


@dataclass(frozen=True)
class ParsedEmail:
    sender: str  # lower-cased address
    sender_name: str
    recipients: tuple[str, ...]  # lower-cased, in the order RECIPIENT_HEADERS lists them
    subject: str
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str
    attachments: tuple[dict, ...]
    automatic: bool  # an auto-reply, a bounce or a mailing list


class _TextOfHtml(HTMLParser):
    """Text of an HTML body: blocks on their own lines, no scripts, styles or quoted replies."""

    BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
    HIDDEN = {"script", "style", "head", "title", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, _attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BLOCKS or tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: no "> " lines, nothing from an "On ... wrote:" line on."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for number, line in enumerate(lines):
        two_lines = f"{line} {lines[number + 1]}" if number + 1 < len(lines) else line
        if OUTLOOK_SEPARATOR.match(line) or QUOTE_HEADER.match(line) or QUOTE_HEADER.match(two_lines):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    new_part = "\n".join(kept).strip()
    return new_part or text.strip()  # a message that is all quote (a forward) is kept whole


def _part_text(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return strip_quoted(text)


def _addresses(message: EmailMessage, *names: str) -> list[tuple[str, str]]:
    values = [str(value) for name in names for value in message.get_all(name, [])]
    return [(clean(name), clean(address).strip().lower()) for name, address in getaddresses(values) if "@" in address]


def _is_automatic(message: EmailMessage) -> bool:
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto_submitted != "no"
        or precedence in BULK_PRECEDENCE
        or "X-Autoreply" in message
        or "X-Autorespond" in message
        or message.get_content_type() == "multipart/report"  # delivery status notifications
    )


def _message_ids(value: object) -> list[str]:
    return MESSAGE_ID.findall(clean(str(value or "")))


def parse(raw: bytes) -> ParsedEmail | None:
    """The parts of `raw` the inbox needs; None when it has no usable sender."""
    message = message_from_bytes(raw, policy=policy.default)
    senders = _addresses(message, "From")
    if not senders:
        return None
    sender_name, address = senders[0]
    try:
        sender = normalise_email(address) or address
    except ValueError:
        sender = address[:CONTACT_CHARS]  # an address the validator dislikes is still the one to answer
    message_ids = _message_ids(message.get("Message-ID"))
    # Without a Message-ID (rare, broken mailers) the content itself dedupes a redelivery.
    message_id = message_ids[0] if message_ids else f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound>"
    in_reply_to = _message_ids(message.get("In-Reply-To"))
    attachments = tuple(
        {"filename": clean(part.get_filename() or "")[:255], "content_type": part.get_content_type()}
        for part in message.iter_attachments()
    )
    return ParsedEmail(
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(address for _, address in _addresses(message, *RECIPIENT_HEADERS)),
        subject=" ".join(clean(str(message.get("Subject", ""))).split()),
        message_id=clip_id(message_id),
        in_reply_to=clip_id(in_reply_to[0]) if in_reply_to else None,
        references=tuple(clip_id(ref) for ref in _message_ids(message.get("References"))[-MAX_REFERENCES:]),
        body=clean(_body(message)),
        attachments=attachments,
        automatic=_is_automatic(message),
    )


def _station_for(recipients: tuple[str, ...]) -> Station | None:
    if not recipients:
        return None
    stations = db.session.scalars(select(Station).where(func.lower(Station.inbox_email).in_(recipients))).all()
    by_address = {station.inbox_email.lower(): station for station in stations}
    return next((by_address[address] for address in recipients if address in by_address), None)


def _is_ours(sender: str) -> bool:
    """Mail from our own sender address or a station inbox: a loop, never a customer."""
    if sender == parseaddr(current_app.config.get("MAIL_FROM") or "")[1].lower():
        return True
    return db.session.scalar(select(Station.id).where(func.lower(Station.inbox_email) == sender)) is not None


def receive_raw(raw: bytes) -> str:
    """Store one raw email; "stored", "duplicate", or "skipped: <why>". The caller commits."""
    parsed = parse(raw)
    if parsed is None:
        return "skipped: no sender"
    if parsed.automatic:
        return "skipped: automatic reply"
    if _is_ours(parsed.sender):
        return "skipped: our own mail"
    station = _station_for(parsed.recipients)
    if station is None:
        log.warning("email to %s: no station has that inbox; dropped", ", ".join(parsed.recipients) or "nobody")
        return "skipped: unknown inbox"
    _, created = receive(
        station,
        Inbound(
            channel="email",
            contact=parsed.sender,
            body=parsed.body,
            provider_id=parsed.message_id,
            contact_name=parsed.sender_name,
            subject=parsed.subject,
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            email=parsed.sender,
            meta={"attachments": list(parsed.attachments)} if parsed.attachments else {},
        ),
    )
    return "stored" if created else "duplicate"
