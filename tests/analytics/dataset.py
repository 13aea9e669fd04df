"""A small hand-made dataset with numbers worked out by hand (see the tests' expectations).

Period under test: 1 Jan - 31 Mar 2026 at alpha (America/New_York), 90 days; the
previous period is 3 Oct - 31 Dec 2025. Several rows sit on a month boundary in local
time (23:30 on the 31st is still that month in New York, already the next in UTC).
Beta (America/Chicago) has rows of its own that must never show at alpha.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Chef
from app.models.conversation import Conversation, Draft, Message
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.payment import Payment, Refund
from app.models.qr import QrCode
from app.models.review import Review

NEW_YORK, CHICAGO = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago")
ARGS = {"from": "2026-01-01", "to": "2026-03-31", "grain": "month"}


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


def _booking(station_id: int, customer: Customer, ref: str, **fields) -> Booking:
    ref += fields.pop("tag", "")
    day, slot = fields.pop("event_date"), fields.pop("slot_time", "18:00")
    hh, mm = map(int, slot.split(":"))
    zone = NEW_YORK if fields.pop("zone", "ny") == "ny" else CHICAGO
    values = {"adults": 10, "children": 0, "toddlers": 0, "deposit_cents": 10000, "paid_cents": 0,
              "address": "1 Main St", "zip_code": "30309", "upgrades": {}, "add_ons": {}, "source": "api"}  # fmt: skip
    values.update(fields)
    return _add(
        Booking(
            station_id=station_id,
            customer_id=customer.id,
            reference=ref,
            event_date=day,
            slot_time=slot,
            starts_at=datetime.combine(day, time(hh, mm), zone).astimezone(UTC),
            updated_at=values["created_at"],
            **values,
        )
    )


def build_dataset(alpha: int, beta: int, tag: str = "") -> dict[str, int]:
    """The rows; `tag` makes unique values unique again when the dataset is built twice."""
    ids: dict[str, int] = {}
    aiko = _add(Chef(station_id=alpha, name="Aiko"))
    ben = _add(Chef(station_id=alpha, name="Ben"))
    for chef in (aiko, ben):  # both work Saturdays only: 4 slots x 2 chefs = 8 a Saturday
        _add(AvailabilityWindow(station_id=alpha, chef_id=chef.id, weekday=5, starts=time(11), ends=time(23, 59)))
    customer = _add(Customer(station_id=alpha, name="Dana Park", email="dana@example.com"))
    other_customer = _add(Customer(station_id=beta, name="Beta Person", email="beta@example.com"))
    flyer = _add(QrCode(station_id=alpha, code=f"truck1{tag}", name="Truck flyer", target_url="https://example.com/"))

    b1 = _booking(alpha, customer, "TP-AAAAA1", tag=tag,
                  status="completed", event_date=date(2026, 2, 14), chef_id=aiko.id,
                  adults=10, children=2, toddlers=1, total_cents=61000, paid_cents=61000,
                  upgrades={"filet_mignon": 4}, add_ons={"gyoza": 2}, created_at=ny(2026, 1, 31, 23, 30),
                  confirmed_at=ny(2026, 1, 31, 23, 45), completed_at=ny(2026, 2, 14, 21, 0),
                  attribution={"utm_source": "instagram"})  # fmt: skip
    b2 = _booking(alpha, customer, "TP-AAAAA2", tag=tag,
                  status="confirmed", event_date=date(2026, 3, 7), slot_time="12:00",
                  chef_id=ben.id, adults=14, total_cents=80000, paid_cents=10000,
                  upgrades={"lobster_tail": 2, "filet_mignon": 1}, created_at=ny(2026, 2, 1, 0, 30),
                  confirmed_at=ny(2026, 2, 1, 0, 40), source="lead")  # fmt: skip
    b3 = _booking(alpha, customer, "TP-AAAAA3", tag=tag,
                  status="expired", event_date=date(2026, 2, 20), slot_time="15:00",
                  total_cents=55000, created_at=ny(2026, 2, 10, 9, 0))  # fmt: skip
    b4 = _booking(alpha, customer, "TP-AAAAA4", tag=tag,
                  status="cancelled", event_date=date(2026, 3, 20), adults=11,
                  total_cents=60000, paid_cents=10000, refunded_cents=10000, created_at=ny(2026, 3, 5, 10, 0),
                  confirmed_at=ny(2026, 3, 5, 11, 0), cancelled_at=ny(2026, 3, 10, 9, 0), cancel_reason=" Weather",
                  refund_eligible=True, source="staff")  # fmt: skip
    b5 = _booking(alpha, customer, "TP-AAAAA5", tag=tag,
                  status="completed", event_date=date(2025, 12, 13), adults=9,
                  total_cents=50000, paid_cents=50000, created_at=ny(2025, 12, 1, 12, 0),
                  confirmed_at=ny(2025, 12, 1, 13, 0), chef_id=aiko.id)  # fmt: skip
    b6 = _booking(alpha, customer, "TP-AAAAA6", tag=tag,
                  status="no_show", event_date=date(2026, 3, 14), slot_time="21:00",
                  chef_id=aiko.id, total_cents=55000, paid_cents=10000, created_at=ny(2026, 1, 10, 12, 0),
                  confirmed_at=ny(2026, 1, 10, 12, 30), source="lead")  # fmt: skip
    b7 = _booking(alpha, customer, "TP-AAAAA7", tag=tag,
                  status="cancelled", event_date=date(2026, 3, 21), total_cents=55000,
                  created_at=ny(2026, 3, 6, 10, 0), cancelled_at=ny(2026, 3, 6, 18, 0), cancel_reason="weather",
                  refund_eligible=False, source="staff")  # fmt: skip
    x1 = _booking(beta, other_customer, "TP-BBBBB1", tag=tag,
                  status="completed", event_date=date(2026, 2, 21), zone="chi",
                  adults=20, total_cents=99900, paid_cents=99900, created_at=utc(2026, 1, 15, 18, 0),
                  confirmed_at=utc(2026, 1, 15, 19, 0), upgrades={"scallops": 20})  # fmt: skip
    ids.update(b1=b1.id, b2=b2.id, b3=b3.id, b4=b4.id, b5=b5.id, b6=b6.id, b7=b7.id, x1=x1.id)

    payments = [
        (b1, "deposit", 10000, ny(2026, 1, 31, 23, 45)),
        (b1, "balance", 51000, ny(2026, 2, 14, 21, 0)),
        (b2, "deposit", 10000, ny(2026, 2, 1, 0, 40)),
        (b4, "deposit", 10000, ny(2026, 3, 5, 11, 0)),
        (b6, "deposit", 10000, ny(2026, 1, 10, 12, 30)),
        (b5, "deposit", 10000, ny(2025, 12, 1, 13, 0)),
        (x1, "deposit", 10000, utc(2026, 1, 15, 19, 0)),
    ]
    for booking, kind, cents, at in payments:
        _add(Payment(station_id=booking.station_id, booking_id=booking.id, kind=kind, method="cash",
                     amount_cents=cents, created_at=at))  # fmt: skip
    _add(Refund(station_id=alpha, booking_id=b4.id, amount_cents=10000, method="cash", status="succeeded",
                created_at=ny(2026, 3, 10, 9, 5), updated_at=ny(2026, 3, 10, 9, 5)))  # fmt: skip
    _add(Refund(station_id=alpha, booking_id=b1.id, amount_cents=5000, method="card", status="failed",
                created_at=ny(2026, 2, 20, 9, 0), updated_at=ny(2026, 2, 20, 9, 0)))  # fmt: skip

    def lead(name: str, source: str, at: datetime, stage: str = "new", station: int = alpha, **fields) -> Lead:
        return _add(Lead(station_id=station, name=name, source=source, stage=stage, created_at=at, updated_at=at,
                         **fields))  # fmt: skip

    l1 = lead("L1", "quote_request", ny(2026, 1, 20, 10, 0), "won", first_touch={"utm_source": "google"},
              booking_id=b2.id)  # fmt: skip
    lead("L2", "chat", ny(2026, 1, 31, 23, 0), "quoted", quote={"total_cents": 60000}, qr_code_id=flyer.id)
    l3 = lead("L3", "chat", ny(2026, 2, 15, 9, 0), first_touch={"utm_source": "instagram"})
    l4 = lead("L4", "quote_request", ny(2026, 1, 5, 9, 0), "won", first_touch={"utm_source": "google"},
              booking_id=b6.id)  # fmt: skip
    l5 = lead("L5", "chat", ny(2026, 1, 29, 8, 0), "won", qr_code_id=flyer.id, booking_id=b1.id)
    lead("L6 (duplicate)", "chat", ny(2026, 2, 2, 9, 0), merged_into_id=l3.id)
    lead("L7", "chat", ny(2025, 11, 1, 9, 0), "lost", lost_reason="Too far")
    lead("Beta lead", "chat", utc(2026, 1, 10, 15, 0), station=beta)
    b1.lead_id, b2.lead_id, b6.lead_id = l5.id, l1.id, l4.id

    def conversation(station: int, channel: str, contact: str) -> Conversation:
        return _add(Conversation(station_id=station, channel=channel, contact=contact + tag))

    def message(conv: Conversation, direction: str, at: datetime, intent: str | None = None, escalate=False):
        return _add(Message(station_id=conv.station_id, conversation_id=conv.id, channel=conv.channel,
                            direction=direction, created_at=at, intent=intent, escalate=escalate,
                            status="received" if direction == "in" else "sent"))  # fmt: skip

    def draft(conv: Conversation, status: str, intent: str, decided: datetime, *, unchanged=None, distance=None,
              source: str = "ai") -> None:  # fmt: skip
        _add(Draft(station_id=conv.station_id, conversation_id=conv.id, status=status, source=source, intent=intent,
                   body="Hello", accepted_unchanged=unchanged, edit_distance=distance, decided_at=decided,
                   generated_at=decided, created_at=decided, updated_at=decided))  # fmt: skip

    c1 = conversation(alpha, "sms", "+14045550001")
    message(c1, "in", utc(2025, 12, 20, 10, 0), "general_faq")
    message(c1, "out", utc(2025, 12, 20, 10, 20))
    message(c1, "in", utc(2026, 1, 10, 10, 0), "quote_request")
    message(c1, "in", utc(2026, 1, 10, 10, 5), "quote_request")
    message(c1, "out", utc(2026, 1, 10, 10, 30))
    message(c1, "in", utc(2026, 1, 12, 9, 0), "booking_request", escalate=True)
    message(c1, "out", utc(2026, 1, 12, 11, 0))
    c2 = conversation(alpha, "email", "a@example.com")
    message(c2, "in", utc(2026, 2, 3, 15, 0), "menu_dietary")
    message(c2, "out", utc(2026, 2, 3, 15, 10))
    message(c2, "in", utc(2026, 2, 4, 8, 0))
    c3 = conversation(alpha, "webchat", "chat-token-1")
    message(c3, "in", ny(2026, 1, 31, 23, 30), "availability")
    message(c3, "out", ny(2026, 2, 1, 0, 30))
    c9 = conversation(beta, "sms", "+12145550009")
    message(c9, "in", utc(2026, 1, 20, 10, 0), "complaint", escalate=True)
    message(c9, "out", utc(2026, 1, 20, 10, 5))

    draft(c1, "sent", "general_faq", utc(2025, 12, 20, 10, 20), unchanged=True, distance=0)
    draft(c1, "sent", "quote_request", utc(2026, 1, 10, 10, 30), unchanged=True, distance=0)
    draft(c1, "sent", "booking_request", utc(2026, 1, 12, 11, 0), unchanged=False, distance=40)
    draft(c2, "rejected", "menu_dietary", utc(2026, 2, 3, 15, 5))
    draft(c2, "sent", "menu_dietary", utc(2026, 2, 3, 15, 10), unchanged=False, distance=10)
    draft(c3, "sent", "availability", ny(2026, 2, 1, 0, 30), unchanged=False, distance=5, source="staff")
    draft(c9, "sent", "complaint", utc(2026, 1, 20, 10, 5), unchanged=True, distance=0)

    def review(station: int, rating: int, at: datetime, booking=None, chef=None) -> None:
        _add(Review(station_id=station, rating=rating, created_at=at, updated_at=at,
                    booking_id=booking.id if booking else None, chef_id=chef.id if chef else None))  # fmt: skip

    review(alpha, 5, ny(2026, 2, 15, 10, 0), b1, aiko)
    review(alpha, 2, ny(2026, 3, 31, 23, 30), chef=ben)
    review(alpha, 4, ny(2026, 1, 1, 0, 30))
    review(alpha, 3, ny(2025, 12, 14, 12, 0), b5, aiko)
    review(beta, 1, utc(2026, 2, 1, 12, 0), x1)
    db.session.flush()
    return ids
