"""Randomized: the pages read from the rollups equal the raw queries, before and after random edits.

For a few seeds: random bookings, payments, refunds, leads, conversations, drafts and
reviews at two stations in two time zones (many of them around midnight and month ends in
local time), committed; the rollups are kept by the maintenance job alone (the outbox,
run as a request's relay runs it). Then rounds of random edits as the services make them
(late refunds, cancellations, reschedules, payments, relabelled messages, replies to open
turns, leads won or merged, new reviews, deletions), each committed and followed by its
jobs; after each round every figure of every page, for the manager of a station and the
owner of all stations, for random periods and grains and each funnel dimension, equals
app.analytics.reference's (percentiles within app.analytics.histogram's stated error).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.analytics import filters, verify
from app.analytics.queries import PAGES
from app.analytics.reference import PAGES as RAW_PAGES
from app.extensions import db
from app.models import analytics as rollup_tables
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.conversation import Conversation, Draft, Message
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.payment import Payment, Refund
from app.models.qr import QrCode
from app.models.review import Review
from app.models.station import Station
from tests.analytics.conftest import run_jobs

TODAY = date(2026, 6, 15)
START = datetime(2025, 9, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2026, 6, 15, 12, tzinfo=UTC) - START).total_seconds())
STATUSES = ["pending_deposit", "confirmed", "completed", "cancelled", "expired", "no_show"]
SOURCES = ["api", "staff", "lead", "phone"]
UTMS = [None, "google", "instagram", ""]
INTENTS = [None, "quote_request", "availability", "complaint", "general_faq"]
CHANNELS = ["sms", "email", "webchat", "instagram"]
REASONS = ["Weather", " weather ", "Budget", "", None]


class World:
    """The random rows, per station: what the edits pick from."""

    def __init__(self, rng: random.Random, stations: list[Station]) -> None:
        self.rng = rng
        self.stations = stations
        self.chefs: dict[int, list[int]] = {}
        self.customers: dict[int, int] = {}
        self.qr: dict[int, list[int]] = {}
        self.serial = 0

    def instant(self, late: bool = False) -> datetime:
        """Random instants, a third of them within minutes of a local midnight (day and month edges)."""
        rng = self.rng
        at = START + timedelta(seconds=rng.randint(0, SPAN_SECONDS))
        if late:
            at = max(at, datetime(2026, 5, 1, tzinfo=UTC)) + timedelta(hours=rng.randint(0, 900))
            at = min(at, datetime(2026, 6, 15, 12, tzinfo=UTC))
        if rng.random() < 0.33:
            zone = ZoneInfo(rng.choice(["America/New_York", "America/Chicago"]))
            local = at.astimezone(zone)
            at = datetime.combine(local.date(), time(0), zone).astimezone(UTC) + timedelta(
                minutes=rng.choice([-31, -1, 0, 1, 29])
            )
        return at

    def ref(self) -> str:
        self.serial += 1
        return f"TP-P{self.serial:07d}"


def _add(row):
    db.session.add(row)
    return row


def _free_chef(world: World, station: Station, day: date, slot: str) -> int | None:
    """A random chef of the station, or None when that chef already holds the slot (uq_bookings_chef_slot)."""
    chef_id = world.rng.choice([None, *world.chefs[station.id]])
    taken = select(Booking.id).where(Booking.chef_id == chef_id, Booking.event_date == day, Booking.slot_time == slot)
    return chef_id if chef_id is None or db.session.scalar(taken) is None else None


def _booking(world: World, station: Station) -> Booking:
    rng = world.rng
    created = world.instant()
    status = rng.choice(STATUSES)
    total = rng.randint(300, 1500) * 100
    booked = status != "expired" and rng.random() < 0.9
    event = created.date() + timedelta(days=rng.randint(-3, 120))
    slot = rng.choice(["12:00", "18:00"])
    return _add(
        Booking(
            station_id=station.id,
            customer_id=world.customers[station.id],
            reference=world.ref(),
            status=status,
            source=rng.choice(SOURCES),
            event_date=event,
            slot_time=slot,
            starts_at=datetime.combine(event, time(18), ZoneInfo(station.timezone)).astimezone(UTC),
            address="1 Main St",
            zip_code="30309",
            adults=rng.randint(8, 20),
            children=rng.randint(0, 4),
            toddlers=rng.randint(0, 2),
            upgrades=rng.choice([{}, {"filet_mignon": rng.randint(1, 5)}, {"lobster_tail": 2, "salmon": 1}]),
            add_ons=rng.choice([{}, {"gyoza": rng.randint(1, 3)}]),
            total_cents=total,
            deposit_cents=10000,
            paid_cents=rng.choice([0, 10000, total]),
            refunded_cents=rng.choice([0, 0, 10000]),
            chef_id=_free_chef(world, station, event, slot),
            cancel_reason=rng.choice(REASONS) if status == "cancelled" else "",
            refund_eligible=rng.random() < 0.5,
            attribution={"utm_source": u} if (u := rng.choice(UTMS)) is not None else {},
            qr_code_id=rng.choice([None, None, *world.qr[station.id]]),
            created_at=created,
            updated_at=created,
            confirmed_at=created + timedelta(minutes=rng.randint(1, 600)) if booked else None,
        )
    )


def _lead(world: World, station: Station, booking: Booking | None = None) -> Lead:
    rng = world.rng
    at = world.instant() if booking is None else booking.created_at - timedelta(minutes=rng.randint(-30, 20000))
    return _add(
        Lead(
            station_id=station.id,
            name="Lead",
            source=rng.choice(["chat", "quote_request", "contact_form"]),
            stage="won" if booking else rng.choice(["new", "quoted", "lost", "nurturing"]),
            first_touch={"utm_source": u} if (u := rng.choice(UTMS)) is not None else {},
            quote={"total_cents": 50000} if rng.random() < 0.3 else None,
            booking_id=booking.id if booking else None,
            qr_code_id=rng.choice([None, *world.qr[station.id]]),
            created_at=at,
            updated_at=at,
        )
    )


def _message(conversation: Conversation, direction: str, at: datetime, rng: random.Random) -> Message:
    return _add(
        Message(
            station_id=conversation.station_id,
            conversation_id=conversation.id,
            channel=conversation.channel,
            direction=direction,
            created_at=at,
            intent=rng.choice(INTENTS) if direction == "in" else None,
            escalate=direction == "in" and rng.random() < 0.15,
            status="received" if direction == "in" else "sent",
        )
    )


def _conversation(world: World, station: Station) -> None:
    rng = world.rng
    conversation = _add(Conversation(station_id=station.id, channel=rng.choice(CHANNELS), contact=f"c{world.ref()}"))
    db.session.flush()
    at = world.instant()
    for _ in range(rng.randint(1, 6)):
        direction = "in" if rng.random() < 0.6 else "out"
        _message(conversation, direction, at, rng)
        if direction == "out" and rng.random() < 0.8:
            sent = rng.random() < 0.8
            _add(Draft(station_id=station.id, conversation_id=conversation.id, status="sent" if sent else "rejected",
                       source=rng.choice(["ai", "ai", "staff"]), intent=rng.choice(INTENTS), body="Hi",
                       accepted_unchanged=rng.choice([True, False, None]) if sent else None,
                       edit_distance=rng.choice([0, 3, 17, None]) if sent else None, decided_at=at,
                       generated_at=at, created_at=at, updated_at=at))  # fmt: skip
        at += timedelta(seconds=rng.choice([5, 90, 600, 3600, 7200, 86400 * 3]) + rng.randint(0, 59))


def _populate(world: World) -> None:
    rng = world.rng
    for station in world.stations:
        chefs = [_add(Chef(station_id=station.id, name=rng.choice(["Aiko", "Ben", "Cruz"]))) for _ in range(3)]
        db.session.flush()
        world.chefs[station.id] = [chef.id for chef in chefs]
        for chef_id in world.chefs[station.id]:
            for weekday in rng.sample(range(7), 3):
                _add(AvailabilityWindow(station_id=station.id, chef_id=chef_id, weekday=weekday,
                                        starts=time(rng.choice([11, 14])), ends=time(23, 59)))  # fmt: skip
        customer = _add(Customer(station_id=station.id, name="Pat", email=f"pat{station.id}@example.com"))
        codes = [_add(QrCode(station_id=station.id, code=f"q{station.id}-{i}", name=rng.choice(["Truck", "Gym"]),
                             target_url="https://example.com/")) for i in range(2)]  # fmt: skip
        db.session.flush()
        world.customers[station.id] = customer.id
        world.qr[station.id] = [c.id for c in codes]
        for _ in range(45):
            booking = _booking(world, station)
            db.session.flush()
            if booking.confirmed_at is not None:
                _add(Payment(station_id=station.id, booking_id=booking.id, kind="deposit", method="cash",
                             amount_cents=10000, status=rng.choice(["succeeded", "succeeded", "failed"]),
                             created_at=booking.confirmed_at))  # fmt: skip
            if booking.source == "lead" or rng.random() < 0.2:
                lead = _lead(world, station, booking)
                db.session.flush()
                booking.lead_id = lead.id
            if booking.status == "completed" and rng.random() < 0.5:
                at = world.instant()
                _add(Review(station_id=station.id, booking_id=booking.id, chef_id=booking.chef_id,
                            rating=rng.randint(1, 5), created_at=at, updated_at=at))  # fmt: skip
        for _ in range(15):
            _lead(world, station)
        for _ in range(12):
            _conversation(world, station)
        for _ in range(3):
            at = world.instant()
            _add(Review(station_id=station.id, rating=rng.randint(1, 5), created_at=at, updated_at=at))


def _edit(world: World) -> None:
    """One random change, as a service would make it (through the ORM)."""
    rng = world.rng
    station = rng.choice(world.stations)
    bookings = db.session.scalars(select(Booking).where(Booking.station_id == station.id)).all()
    booking = rng.choice(bookings)
    what = rng.choice(["refund", "cancel", "reschedule", "pay", "relabel", "reply", "inbound", "lead", "merge",
                       "review", "complete", "delete_payment", "draft", "expire", "window", "time_off",
                       "blackout"])  # fmt: skip
    chef_id = rng.choice(world.chefs[station.id])
    if what == "refund":  # a refund months after the party
        at = world.instant(late=True)
        _add(Refund(station_id=station.id, booking_id=booking.id, amount_cents=rng.randint(10, 300) * 100,
                    method="cash", status="succeeded", created_at=at, updated_at=at))  # fmt: skip
        booking.refunded_cents += 5000
    elif what == "cancel":
        booking.status = "cancelled"
        booking.cancel_reason = rng.choice(REASONS)
        booking.refund_eligible = rng.random() < 0.5
    elif what == "reschedule":
        booking.chef_id = None
        db.session.flush()
        booking.event_date = booking.event_date + timedelta(days=rng.randint(-40, 40))
        booking.chef_id = _free_chef(world, station, booking.event_date, booking.slot_time)
    elif what == "pay":
        _add(Payment(station_id=station.id, booking_id=booking.id, kind="deposit", method="card",
                     amount_cents=10000, status="succeeded", created_at=world.instant(late=True)))  # fmt: skip
        booking.paid_cents += 10000
        booking.confirmed_at = booking.confirmed_at or world.instant(late=True)
    elif what == "complete":
        booking.status = rng.choice(["completed", "no_show"])
    elif what == "expire":
        booking.status = "expired"
    elif what in ("relabel", "reply", "inbound"):
        messages = db.session.scalars(select(Message).where(Message.station_id == station.id)).all()
        message = rng.choice(messages)
        if what == "relabel":
            message.intent = rng.choice(INTENTS)
            message.escalate = not message.escalate
        else:
            conversation = db.session.get(Conversation, message.conversation_id)
            _message(conversation, "out" if what == "reply" else "in", world.instant(late=True), rng)
    elif what == "lead":
        leads = db.session.scalars(select(Lead).where(Lead.station_id == station.id)).all()
        lead = rng.choice(leads)
        lead.stage = rng.choice(["quoted", "won", "lost"])
        if lead.booking_id is None and rng.random() < 0.5:
            lead.booking_id = booking.id
    elif what == "merge":
        leads = db.session.scalars(
            select(Lead).where(Lead.station_id == station.id, Lead.merged_into_id.is_(None))
        ).all()
        if len(leads) > 1:
            duplicate, keep = rng.sample(leads, 2)
            duplicate.merged_into_id = keep.id
    elif what == "review":
        if db.session.scalar(select(Review.id).where(Review.booking_id == booking.id)) is None:
            at = world.instant(late=True)
            _add(Review(station_id=station.id, booking_id=booking.id, chef_id=booking.chef_id,
                        rating=rng.randint(1, 5), created_at=at, updated_at=at))  # fmt: skip
    elif what == "delete_payment":
        payment = db.session.scalar(select(Payment).where(Payment.station_id == station.id).limit(1))
        if payment is not None:
            db.session.delete(payment)
    elif what == "window":  # a chef's week changes: capacity of every day moves
        _add(AvailabilityWindow(station_id=station.id, chef_id=chef_id, weekday=rng.randrange(7), starts=time(11),
                                ends=time(23, 59)))  # fmt: skip
    elif what == "time_off":
        first = TODAY - timedelta(days=rng.randint(0, 300))
        _add(TimeOff(station_id=station.id, chef_id=chef_id, first_day=first, status="approved",
                     last_day=first + timedelta(days=rng.randint(0, 20))))  # fmt: skip
    elif what == "blackout":
        day = TODAY - timedelta(days=rng.randint(0, 300))
        if db.session.scalar(select(Blackout.id).where(Blackout.station_id == station.id, Blackout.day == day)) is None:
            _add(Blackout(station_id=station.id, day=day))
    elif what == "draft":
        draft = db.session.scalar(select(Draft).where(Draft.station_id == station.id).limit(1))
        if draft is not None:
            draft.status = "sent" if draft.status == "rejected" else "rejected"
            draft.decided_at = world.instant(late=True)


def _compare(app, world: World, rng: random.Random) -> list[str]:
    problems = []
    for owner in (False, True):
        station = rng.choice(world.stations)
        for _ in range(2):
            length = rng.choice([7, 31, 90, 200, 365])
            end = TODAY - timedelta(days=rng.choice([0, 0, 17, 45]))
            args = {"from": (end - timedelta(days=length - 1)).isoformat(), "to": end.isoformat(),
                    "grain": rng.choice(["day", "week", "month"]), "compare": rng.choice(["previous", "none"]),
                    "by": rng.choice(["channel", "utm", "qr"]), "scope": "all" if owner else "station"}  # fmt: skip
            with app.test_request_context():
                g.station, g.station_id = db.session.get(Station, station.id), station.id
                chosen = filters.parse(MultiDict(args), g.station, may_see_all=owner, today=TODAY)
                for key, page in PAGES.items():
                    found = verify.differences(page.build(chosen), RAW_PAGES[key].build(chosen))
                    problems += [f"{key} {args}: {p}" for p in found]
    return problems


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_equal_the_raw_queries_through_random_edits(app, world, seed):
    rng = random.Random(seed)
    with app.app_context():
        stations = [db.session.get(Station, world.station.id), db.session.get(Station, world.other.id)]
        assert stations[0].timezone != stations[1].timezone
        state = World(rng, stations)
        _populate(state)
        db.session.commit()
        assert run_jobs() >= 1
        assert db.session.scalar(select(rollup_tables.booking_days.c.id).limit(1)) is not None
        assert _compare(app, state, rng) == []
        for _round in range(2):
            for _ in range(rng.randint(2, 6)):
                _edit(state)
                db.session.commit()  # each edit its own transaction, as requests are
            run_jobs()
            assert _compare(app, state, rng) == []
