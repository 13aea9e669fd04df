"""Inbound channels: each module turns one provider's payload into `Inbound` messages.

- sms.py: Twilio's inbound SMS webhook (signature, STOP/START/HELP, media)
- instagram.py: Meta's Instagram messaging webhook (handshake, signature, events)
- email_in.py: a raw MIME message, from the inbound-parse webhook or the IMAP poll
- imap_poll.py: the periodic job that reads unseen mail from an IMAP mailbox

Every channel routes a message to a station by the address it was sent to (the
station's `sms_number`, `instagram_account_id` or `inbox_email`) and stores it with
`app.inbox.inbound.receive()`; the caller commits. What a provider sends is
untrusted text: `clean()` and `clip_id()` make it storable whatever it contains.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models.station import Station

PROVIDER_ID_CHARS = 255  # Message.provider_id and Message.in_reply_to
# NUL (PostgreSQL text refuses it) and lone surrogates (from undecodable header bytes).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str | None) -> str:
    """`text` without the characters the database cannot store."""
    return UNSTORABLE.sub("\ufffd", text or "")


def clip_id(value: str | None) -> str | None:
    """A provider's id cut to what the column holds (applied alike to ids and references, so threads still match)."""
    value = clean(value).strip()
    return value[:PROVIDER_ID_CHARS] or None


def station_by(column: InstrumentedAttribute, value: str | None) -> Station | None:
    """The station whose channel address `column` is `value` (addresses are unique)."""
    if not value:
        return None
    return db.session.scalars(select(Station).where(column == value)).first()
