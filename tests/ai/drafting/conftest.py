"""Draft tests read and write the database: they put back the suite's per-test rollback.

tests/ai/conftest.py switches that fixture off for the (database-free) classifier tests.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.ai.drafting import DraftRequest, ThreadLine
from app.extensions import db
from app.inbox.inbound import Inbound, receive
from app.models.conversation import Draft
from app.models.station import Station
from tests.bookings.conftest import add_chef
from tests.conftest import _rollback  # noqa: F401  (PostgreSQL per-test rollback, as everywhere else)


def future_day(days: int = 20) -> date:
    return date.today() + timedelta(days=days)


@pytest.fixture
def alpha(app, world):
    """Station alpha inside a request context, one chef working every slot (capacity 1 per slot)."""
    with app.test_request_context():
        station = db.session.merge(world.station)
        add_chef(station, "Kenji", starts=time(11, 0), ends=time(23, 59))
        db.session.commit()
        yield station


def request_for(
    station: Station,
    text: str,
    *,
    intent: str | None = "quote_request",
    channel: str = "sms",
    language: str | None = "en",
    emotion: str | None = "neutral",
    escalate: bool = False,
    name: str = "Ana Ruiz",
    thread: tuple[ThreadLine, ...] = (),
) -> DraftRequest:
    return DraftRequest(
        station_id=station.id,
        conversation_id=0,
        channel=channel,
        inbound_text=text,
        intent=intent,
        emotion=emotion,
        language=language,
        escalate=escalate,
        customer_name=name,
        thread=thread,
    )


def approved_reply(
    station: Station, inbound: str, reply: str, *, intent: str, contact: str, source: str = "staff", name: str = ""
) -> Draft:
    """A conversation whose inbound message got `reply` sent (what examples learn from)."""
    inbound_message = Inbound("sms", contact, inbound, provider_id=f"SM-{contact}-{intent}", contact_name=name)
    message, _ = receive(station, inbound_message)
    draft = Draft(
        station_id=station.id,
        conversation_id=message.conversation_id,
        message_id=message.id,
        status="sent",
        source=source,
        intent=intent,
        body=reply,
        sent_body=reply,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def add_booking_for(
    station: Station, phone: str, *, adults: int, children: int = 0, days: int = 20, slot: str = "18:00"
):
    """A confirmed booking of the customer with this phone, priced by the engine."""
    from app.ai.draft_scoring import add_booking

    return add_booking(station, phone, {"date": future_day(days).isoformat(), "time": slot, "adults": adults,
                                        "children": children})  # fmt: skip
