"""Demo chefs, customers and bookings for `flask seed-demo` (idempotent per station)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from app.availability.services import chefs_free_for
from app.bookings import lifecycle
from app.bookings.schemas import BookingRequest
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.demo import DEMO_SEEDERS
from app.errors import DomainError
from app.extensions import db
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Chef
from app.models.outbox import OutboxMessage
from app.models.station import Station
from app.models.user import Membership, Role, User

FIRST = ["Ava", "Liam", "Mia", "Noah", "Zoe", "Ethan", "Ivy", "Lucas", "Chloe", "Mason", "Nora", "Owen"]
LAST = ["Nguyen", "Patel", "Garcia", "Johnson", "Kim", "Brown", "Lopez", "Davis", "Chen", "Walker"]
STREETS = ["Peachtree St", "Oak Ave", "Maple Dr", "Lakeview Rd", "Pine Ln", "Cedar Ct"]
NEARBY_ZIPS = {
    "30313": ["30303", "30305", "30308", "30318", "30324"],
    "75201": ["75204", "75205", "75206", "75219"],
    "85003": ["85004", "85006", "85008", "85012"],
}


def _chefs(station: Station, users: dict[str, User]) -> list[Chef]:
    existing = db.session.scalars(select(Chef).where(Chef.station_id == station.id)).all()
    if existing:
        return list(existing)
    chef_users = db.session.scalars(
        select(User).join(Membership).where(Membership.station_id == station.id, Membership.role == Role.CHEF)
    ).all()
    names = [(u.name, u.id) for u in chef_users] + [("Taro Yamada", None), ("Mei Lin", None)]
    chefs = []
    for index, (name, user_id) in enumerate(names[:4]):
        chef = Chef(station_id=station.id, name=name, user_id=user_id, phone="", email="", is_active=True)
        db.session.add(chef)
        db.session.flush()
        # Everyone works weekends; weekdays alternate so capacity varies by day.
        for weekday in range(7):
            if weekday >= 4 or weekday % 2 == index % 2:
                db.session.add(
                    AvailabilityWindow(
                        station_id=station.id, chef_id=chef.id, weekday=weekday, starts=time(11, 0), ends=time(23, 59)
                    )
                )
        chefs.append(chef)
    db.session.flush()
    return chefs


def _request(station: Station, rng: random.Random, day, slot: str, n: int) -> BookingRequest:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return BookingRequest.model_validate(
        {
            "station": station.slug,
            "customer": {
                "name": f"{first} {last}",
                "email": f"{first}.{last}{n}@example.com".lower(),
                "phone": f"+1404555{1000 + n:04d}",
            },
            "address": f"{rng.randint(10, 999)} {rng.choice(STREETS)}",
            "zip_code": rng.choice(NEARBY_ZIPS.get(station.zip_code, [station.zip_code])),
            "event_date": day.isoformat(),
            "slot": slot,
            "adults": rng.randint(6, 20),
            "children": rng.randint(0, 5),
            "toddlers": rng.randint(0, 2),
            "upgrades": rng.choice([{}, {"filet_mignon": 4}, {"lobster_tail": 2}, {"salmon": 3, "scallops": 2}]),
            "add_ons": rng.choice([{}, {"gyoza": 2}, {"fried_rice": 3, "edamame": 2}]),
            "proteins": rng.sample(station.settings.proteins, 2),
            "allergies": rng.choice(["", "", "", "Shellfish allergy (1 guest)", "No sesame"]),
            "consent": {"email": rng.random() < 0.5, "email_text": "Send me news and offers by email."},
            "attribution": rng.choice(
                [{}, {"utm_source": "instagram", "utm_medium": "social"}, {"utm_source": "google", "utm_medium": "cpc"}]
            ),
        }
    )


# Days (from today) with a party: past ones (created "back then") and upcoming ones across
# the next six weeks. Atlanta, where most demo logins work, has a party most days; the
# other stations fewer, which keeps `make run` quick.
BUSY_DAYS = list(range(-30, 0, 2)) + list(range(3, 45))
QUIET_DAYS = list(range(-30, 0, 4)) + list(range(3, 45, 3))
BUSY_STATIONS = {"atlanta"}


def seed_bookings(stations: dict[str, Station], users: dict[str, User]) -> None:
    manager = next((u for u in users.values() if u.email == "manager@teppan.example"), None)
    staff_actor = Actor.user(manager) if manager else Actor.system("demo")
    for slug, station in stations.items():
        _chefs(station, users)
        if db.session.scalar(select(func.count()).select_from(Booking).where(Booking.station_id == station.id)):
            continue  # already seeded
        rng = random.Random(slug)
        now = datetime.now(UTC)
        made = 0
        past: set[int] = set()
        for offset in BUSY_DAYS if slug in BUSY_STATIONS else QUIET_DAYS:
            day = (now + timedelta(days=offset)).date()
            slot = rng.choice(station.settings.slot_times[:3])
            # Past parties were booked ~10 days ahead; upcoming ones in the last day.
            created = now + (timedelta(days=offset - 10) if offset < 0 else -timedelta(hours=rng.randint(1, 20)))
            try:
                booking = create_booking(
                    station,
                    _request(station, rng, day, slot, made),
                    actor=Actor.customer(),
                    source=rng.choice(["api", "api", "staff"]),
                    now=created,
                )
            except DomainError:
                continue
            made += 1
            if offset < 0:
                past.add(booking.id)
            if rng.random() < 0.7:
                lifecycle.record_payment(
                    booking,
                    staff_actor,
                    amount_cents=booking.deposit_cents,
                    method=rng.choice(["venmo", "zelle", "cash"]),
                    now=created,
                )
                free = chefs_free_for(station, booking.event_date, booking.slot_time)
                if free:
                    lifecycle.assign_chef(station, booking, rng.choice(free), staff_actor)
                if offset < 0:
                    outcome = rng.random()
                    if outcome < 0.85:
                        lifecycle.complete(booking, staff_actor, now=booking.starts_at + timedelta(hours=3))
                    elif outcome < 0.93:
                        lifecycle.mark_no_show(booking, staff_actor, now=booking.starts_at + timedelta(hours=1))
                    else:
                        lifecycle.cancel(station, booking, staff_actor, reason="Weather", now=created)
            elif offset < 0:
                lifecycle.expire(booking, now=booking.deposit_due_at)
        db.session.flush()
        _forget_announcements(past)


def _forget_announcements(booking_ids: set[int]) -> None:
    """Parties that already happened were announced back then: their notifications are not
    written and sent again today (they were a third of the demo's jobs)."""
    pending = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dispatched_at.is_(None), OutboxMessage.job == "notifications.booking_event"
        )
    )
    for message in pending:
        if (message.payload or {}).get("booking_id") in booking_ids:
            db.session.delete(message)
    db.session.flush()


seed_bookings.demo_order = 10  # chefs and bookings first: the other areas' demo data builds on them
DEMO_SEEDERS.append(seed_bookings)
