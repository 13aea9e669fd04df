"""Demo leads for `make run`: ~25 per station across stages and sources, through the real services.

Each lead is captured, answered (some late), quoted, won, lost or left to nurture by
the same functions staff use, so timelines, first-response tasks (some overdue),
follow-ups and scores are what the app would have produced. Idempotent: a station
that has demo leads is skipped.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.demo import DEMO_SEEDERS
from app.errors import DomainError
from app.extensions import db
from app.leads import conversion, services, tasks
from app.models.booking import Booking
from app.models.lead import Lead
from app.models.station import Station
from app.models.user import Role, User
from app.tenancy import members

DEMO_DOMAIN = "demo-lead.example"
LEADS_PER_STATION = 25
FIRST = ["Avery", "Jordan", "Mia", "Noah", "Priya", "Luis", "Chen", "Grace", "Omar", "Zoe", "Ethan", "Aisha", "Kai"]
LAST = ["Nguyen", "Patel", "Garcia", "Smith", "Kim", "Johnson", "Brown", "Lopez", "Walker", "Reyes", "Okafor"]
SOURCES = [
    ("quote_request", {"utm_source": "google", "utm_medium": "cpc"}),
    ("quote_request", {"utm_source": "referral", "utm_medium": "referral", "referrer": "a friend"}),
    ("contact_form", {"utm_source": "facebook", "utm_medium": "social"}),
    ("webchat", {"landing_page": "/menu"}),
    ("sms", {}),
    ("instagram", {"utm_source": "instagram"}),
    ("email", {}),
    ("staff", {"utm_source": "farmers market"}),
    ("slot_full", {"utm_source": "google", "utm_medium": "organic"}),
]
MESSAGES = [
    "Birthday party in the backyard, do you bring everything?",
    "Price for 20 adults and 5 kids?",
    "Corporate team dinner, can you do a Friday evening?",
    "Graduation party, one guest is vegetarian.",
    "Anniversary dinner for 12, is the minimum per party?",
    "Do you travel to the lake house? About 60 miles out.",
]
# stage -> weight: most leads are still being worked, a few are closed.
STAGE_PLAN = ["new"] * 6 + ["contacted"] * 5 + ["quoted"] * 5 + ["nurturing"] * 3 + ["lost"] * 3 + ["won"] * 3
LOST_REASONS = ["Went with another caterer", "Budget", "Date not available", "No answer after 3 follow-ups"]


def _team(station: Station) -> list[User]:
    return members(station.id, Role.MANAGER) + members(station.id, Role.STAFF)


def _unlinked_bookings(station: Station) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.station_id == station.id, Booking.lead_id.is_(None), Booking.status != "expired")
            .order_by(Booking.created_at.desc())
            .limit(10)
        )
    )


def _capture(station: Station, rng: random.Random, n: int, created: datetime, team: list[User]):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    source, attribution = rng.choice(SOURCES)
    today = created.date()
    return services.capture(
        station,
        source=source,
        name=f"{first} {last}",
        email=f"{first}.{last}{n}@{DEMO_DOMAIN}".lower() if n == 0 or rng.random() < 0.85 else None,
        phone=f"+1{station.phone[2:5] if station.phone else '404'}5550{n:03d}" if rng.random() < 0.7 else None,
        message=rng.choice(MESSAGES),
        event_date=today + timedelta(days=rng.randint(-5, 150)) if rng.random() < 0.8 else None,
        guests=rng.choice([None, 8, 10, 12, 15, 20, 25, 30, 40]),
        zip_code=station.zip_code if rng.random() < 0.6 else None,
        attribution=attribution,
        owner_id=rng.choice(team).id if team and rng.random() < 0.5 else None,
        now=created,
    ).lead


def _work(lead: Lead, stage: str, rng: random.Random, created: datetime, actor: User | None, bookings: list) -> None:
    """Play the lead forward to `stage` the way staff would have."""
    now = datetime.now(UTC)
    # Half are answered within the hour, the others late: the response-speed part of the score differs.
    answered = min(created + timedelta(minutes=rng.choice([10, 25, 45, 90, 240, 600])), now)
    if stage == "new":
        return
    services.move(lead, "contacted", actor, now=answered)
    if rng.random() < 0.5:
        note = rng.choice(["Left a voicemail.", "Prefers texts.", "Asked about gluten-free."])
        services.add_note(lead, actor, note, now=answered)
    if stage in ("quoted", "won", "lost") and rng.random() < 0.8:
        party = {"adults": lead.guests or 10, "children": rng.choice([0, 0, 2, 4])}
        try:
            services.record_quote(
                lead, actor, party, zip_code=lead.zip_code, now=min(answered + timedelta(hours=2), now)
            )
        except DomainError:
            services.move(lead, "quoted", actor, now=min(answered + timedelta(hours=2), now))
    if stage == "won" and bookings:
        conversion.link_booking(lead, bookings.pop(), actor=actor, now=min(answered + timedelta(days=1), now))
    elif stage == "lost":
        services.move(
            lead, "lost", actor, lost_reason=rng.choice(LOST_REASONS), now=min(answered + timedelta(days=2), now)
        )
    elif stage == "nurturing":
        services.move(lead, "nurturing", actor, now=min(answered + timedelta(days=3), now))
    if lead.stage in ("contacted", "quoted", "nurturing") and rng.random() < 0.7:
        # Follow-ups due around now: some already overdue, some later today or this week.
        tasks.add_task(
            lead.station_id,
            title=rng.choice(["Call back about the date", "Send the menu PDF", "Check in after the quote"]),
            due_at=now + timedelta(hours=rng.randint(-72, 96)),
            owner_id=lead.owner_id or (actor.id if actor else None),
            actor=actor,
            lead=lead,
            now=answered,
        )


def seed_leads(stations: dict[str, Station], users: dict[str, User]) -> None:
    for slug, station in stations.items():
        if db.session.scalar(select(Lead.id).where(Lead.station_id == station.id, Lead.email.like(f"%@{DEMO_DOMAIN}"))):
            continue  # already seeded
        rng = random.Random(f"leads-{slug}")
        team = _team(station)
        bookings = _unlinked_bookings(station)
        now = datetime.now(UTC)
        for n in range(LEADS_PER_STATION):
            stage = rng.choice(STAGE_PLAN)
            # Worked leads spread over six weeks; new ones arrived in the last hours (some past the SLA).
            age = timedelta(minutes=rng.randint(5, 240)) if stage == "new" else timedelta(hours=rng.randint(6, 1000))
            created = now - age
            lead = _capture(station, rng, n, created, team)
            actor = rng.choice(team) if team else None
            _work(lead, stage, rng, created, actor, bookings)
            services.rescore(lead, station=station, now=now)  # event proximity as of today
        db.session.flush()


seed_leads.demo_order = 30  # after bookings (10): won demo leads are linked to their bookings
DEMO_SEEDERS.append(seed_leads)
