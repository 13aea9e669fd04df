"""What a backend sends, how it fails, and the embedded backend that only records.

Every failure is classified, because what happens next depends on it:
- `TransientSendError`: the provider certainly did not take the message (connection
  refused, SMTP 4xx before or at DATA, Twilio 429/5xx): queued again, tried later.
- `PermanentSendError`: refused for good (bad address, SMTP 5xx, Twilio 4xx): failed.
- `UncertainSendError`: the request may have gone through (timeout or disconnect after
  the message was handed over). Retried only by a backend whose retry cannot make a second
  message (`Backend.retry_is_safe`: the same idempotency key, or a lookup first).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)


class SendError(Exception):
    """A delivery that did not (or may not) happen; see the subclasses."""


class TransientSendError(SendError):
    """Not delivered; trying again later may work."""


class PermanentSendError(SendError):
    """Refused for good; `suppress_reason` set when it means "do not contact" (STOP)."""

    def __init__(self, message: str, *, suppress_reason: str | None = None) -> None:
        super().__init__(message)
        self.suppress_reason = suppress_reason


class UncertainSendError(SendError):
    """The provider may have taken the message."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (the booking's .ics on a confirmation)."""

    filename: str
    content_type: str  # "text/calendar"
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """A message ready for a backend: plain values only, no ORM rows (no database access)."""

    channel: str  # email | sms | instagram
    to: str
    body_text: str
    # The same for every attempt at this message: SMTP Message-ID, Twilio lookup, logs.
    idempotency_key: str = ""
    subject: str = ""
    body_html: str | None = None
    from_name: str = ""
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status_callback: str | None = None
    from_number: str | None = None  # SMS: the station's own number (else TWILIO_FROM_NUMBER)
    attachments: tuple[Attachment, ...] = ()  # email only


class Backend(Protocol):
    name: str
    # True when sending the same Outgoing again after an unknown outcome cannot reach the
    # recipient twice (the provider dedupes the idempotency key, or `find_sent` asks first).
    retry_is_safe: bool
    # True when the row is the delivery (no provider): the state is "recorded", not "sent".
    records_only: bool

    def send(self, message: Outgoing) -> str:
        """Hand the message over; return the provider's id for it."""

    def find_sent(self, message: Outgoing, since: datetime) -> str | None:
        """After an unknown outcome: the provider's id if it already has this message, else None."""


class RecordedBackend:
    """No provider configured: the row is the delivery (shown on Sent messages as "recorded")."""

    name = "recorded"
    retry_is_safe = True  # nothing leaves the process
    records_only = True

    def send(self, message: Outgoing) -> str:
        log.info("%s recorded (no provider configured) for %s", message.channel, message.to)
        return f"recorded-{uuid.uuid4().hex[:20]}"

    def find_sent(self, message: Outgoing, since: datetime) -> str | None:
        return None
