"""Examples for the OpenAPI document and the docs page.

Response examples go through the same presenters and models as real answers (the
menu and quote are priced by the real pricing code), so they cannot show a shape
or a number the API would not produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from app.api import schemas as out
from app.api.presenters import dump, menu_out, money, quote_out, station_out
from app.models.station import Station
from app.pricing import DistanceResult, PartyRequest, quote
from app.stations.settings import DEFAULT_SETTINGS, StationSettings

DAY = "2027-06-05"
TOKEN = "r3Jc0f2QyWb1n8Xk5tq7PzLm4Vd9sEaH"
STATUS_URL = f"https://teppan.example/api/v1/bookings/{TOKEN}"
MANAGE_TOKEN = "Qm8xZ2Lk4Tn7Vb1Rc5Wd9Ye3Uf6Pg0Hs"
MANAGE_URL = f"https://teppan.example/b/{MANAGE_TOKEN}"


@dataclass(frozen=True)
class _ExampleStation:
    """What the presenters read of a Station, without touching the ORM at import time."""

    slug: str = "atlanta"
    name: str = "Teppan Atlanta"
    timezone: str = "America/New_York"
    phone: str = "+14045550100"
    email: str = "atlanta@teppan.example"
    zip_code: str = "30313"
    settings: StationSettings = DEFAULT_SETTINGS


_STATION = cast(Station, _ExampleStation())

STATIONS = dump(out.StationList(stations=[station_out(_STATION)]))

QUOTE_REQUEST = {
    "station": "atlanta",
    "adults": 10,
    "children": 2,
    "toddlers": 1,
    "upgrades": {"lobster_tail": 2},
    "add_ons": {"gyoza": 1},
    "zip_code": "30004",
}

BOOKING_REQUEST = {
    "station": "atlanta",
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "(404) 555-0142"},
    "address": "10 Peachtree St NE, Atlanta",
    "zip_code": "30004",
    "event_date": DAY,
    "slot": "18:00",
    "adults": 10,
    "children": 2,
    "toddlers": 1,
    "upgrades": {"lobster_tail": 2},
    "add_ons": {"gyoza": 1},
    "proteins": ["Chicken", "Shrimp"],
    "allergies": "One guest: no shellfish.",
    "notes": "Backyard, gate code 1234.",
    "consent": {
        "email": True,
        "email_text": "Email me offers and news from Teppan. Unsubscribe any time.",
        "sms": False,
        "sms_text": "",
    },
    "attribution": {"utm_source": "instagram", "utm_medium": "social", "utm_campaign": "summer"},
}

LEAD_REQUEST = {
    "kind": "quote_request",
    "station": "atlanta",
    "name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "(404) 555-0199",
    "message": "Birthday party for 15 in July, backyard. What would it cost?",
    "event_date": DAY,
    "guests": 15,
    "zip_code": "30004",
    "attribution": {"utm_source": "google", "utm_medium": "cpc", "referrer": "https://www.google.com/"},
}

LEAD_RECEIVED = dump(
    out.LeadReceived(status="received", message="Thank you! Teppan Atlanta will get back to you soon.")
)

AVAILABILITY = dump(
    out.AvailabilityOut(
        station="atlanta",
        timezone="America/New_York",
        from_=date(2027, 6, 5),
        to=date(2027, 6, 5),
        slots=[
            out.SlotOut(
                date=date(2027, 6, 5),
                time=time_,
                starts_at=datetime(2027, 6, 5, hour + 4, tzinfo=UTC),
                remaining=remaining,
                bookable=remaining > 0,
                reason=None if remaining else "full",
            )
            for time_, hour, remaining in (("12:00", 12, 2), ("15:00", 15, 1), ("18:00", 18, 0))
        ],
    )
)


def menu() -> dict[str, Any]:
    return dump(menu_out(_STATION))


def _quote() -> out.QuoteOut:
    party = PartyRequest(
        adults=10,
        children=2,
        toddlers=1,
        upgrades={"lobster_tail": 2},
        add_ons={"gyoza": 1},
        distance=DistanceResult(42.3, True, "zip-centroid"),
    )
    return quote_out(quote(DEFAULT_SETTINGS, party, station_name=_STATION.name).as_dict(), DEFAULT_SETTINGS)


def quote_response() -> dict[str, Any]:
    return dump(out.QuoteResponse(station="atlanta", quote=_quote(), deposit_due_hours=24))


def booking_created() -> dict[str, Any]:
    priced = _quote()
    return dump(
        out.BookingCreated(
            reference="TP-7KR3MXH9A",
            public_token=TOKEN,
            status="pending_deposit",
            station="atlanta",
            event_date=date(2027, 6, 5),
            slot="18:00",
            starts_at=datetime(2027, 6, 5, 22, tzinfo=UTC),
            guests=out.Guests(adults=10, children=2, toddlers=1, total=13),
            total=money(priced.total_cents),
            deposit=money(priced.deposit_cents),
            deposit_due_at=datetime(2027, 5, 2, 15, 30, tzinfo=UTC),
            quote=priced,
            status_url=STATUS_URL,
            manage_url=MANAGE_URL,
        )
    )


def booking_status() -> dict[str, Any]:
    priced = _quote()
    return dump(
        out.BookingStatus(
            reference="TP-7KR3MXH9A",
            status="confirmed",
            station=out.StationContact(slug="atlanta", name=_STATION.name, phone=_STATION.phone, email=_STATION.email),
            event_date=date(2027, 6, 5),
            slot="18:00",
            starts_at=datetime(2027, 6, 5, 22, tzinfo=UTC),
            guests=out.Guests(adults=10, children=2, toddlers=1, total=13),
            total=money(priced.total_cents),
            paid=money(priced.deposit_cents),
            balance=money(priced.balance_cents),
            deposit=money(priced.deposit_cents),
            deposit_paid=True,
            deposit_due_at=None,
            balance_due_on=date(2027, 6, 2),
            manage_url=MANAGE_URL,
            actions=[
                out.ActionOut(action="reschedule", allowed=True, rule="", reason=""),
                out.ActionOut(action="change_guests", allowed=True, rule="", reason=""),
                out.ActionOut(action="cancel", allowed=True, rule="", reason=""),
                out.ActionOut(action="pay_balance", allowed=True, rule="", reason=""),
                out.ActionOut(action="message", allowed=True, rule="", reason=""),
                out.ActionOut(action="add_to_calendar", allowed=True, rule="", reason=""),
            ],
        )
    )


def error(code: str) -> dict[str, Any]:
    fields = {"customer.email": "value is not a valid email address"} if code == "validation_failed" else {}
    messages = {
        "validation_failed": "Some fields need a correction (customer.email: value is not a valid email address).",
        "conflict": "Sat 05 Jun at 18:00 is fully booked. Choose another slot.",
        "not_found": "There is no station 'atlantis'.",
    }
    message = messages.get(code, "The request was refused.")
    if code == "conflict":
        code = "slot_full"
    return dump(out.ErrorResponse(error=out.ErrorDetail(code=code, message=message, fields=fields)))
