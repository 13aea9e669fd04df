"""Leads: capture from every source, stages, notes, quotes (conversion is in conversion.py).

Every lead, whatever its source (public API forms, inbox channels, staff entry, a
failed booking attempt), is created by `capture()`, so duplicate detection, touches,
the timeline, the score and the first-response task behave the same everywhere.

Services flush, never commit: the request (or job) commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from app import audit, locks
from app.customers.contact import normalise_phone
from app.customers.services import find_match, same_person
from app.errors import ValidationFailed
from app.extensions import db
from app.leads import scoring
from app.leads.tasks import close_first_response, is_station_member, open_first_response_task
from app.models.base import utcnow
from app.models.lead import LEAD_STAGES, OPEN_LEAD_STAGES, Lead, LeadEvent
from app.models.station import Station
from app.models.user import User
from app.pricing import quote_for_station
from app.qr.attribution import qr_code_for

MAX_MESSAGE_CHARS = 20_000  # a lead's accumulated messages, newest kept
MAX_NOTE_CHARS = 5_000
MAX_LOST_REASON_CHARS = 255
STAGE_LABELS = {
    "new": "New",
    "contacted": "Contacted",
    "quoted": "Quoted",
    "won": "Won",
    "lost": "Lost",
    "nurturing": "Nurturing",
}
# Where leads come from: the public API forms, the inbox channels, staff entry, a full slot.
SOURCES = ("quote_request", "contact_form", "webchat", "sms", "instagram", "email", "staff", "slot_full")


@dataclass(frozen=True)
class Captured:
    lead: Lead
    created: bool  # False: the person's open lead was updated instead


# --- helpers ---------------------------------------------------------------------------


def _email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def _phone(value: str | None) -> str | None:
    """E.164 when it parses; else the value as given (a channel already normalised it)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return normalise_phone(value)
    except ValueError:
        return value[:20]


def station_of(lead: Lead) -> Station:
    return db.session.get(Station, lead.station_id)


def station_today(station: Station, now: datetime) -> date:
    return now.astimezone(ZoneInfo(station.timezone)).date()


def event(
    lead: Lead,
    kind: str,
    *,
    body: str = "",
    data: dict | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> LeadEvent:
    """One line of the lead's timeline (kinds: created, touched, stage, note, quote_sent, merged, converted)."""
    row = LeadEvent(
        station_id=lead.station_id,
        lead_id=lead.id,
        kind=kind,
        body=body,
        data=data or {},
        actor_id=actor.id if actor else None,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    return row


def rescore(lead: Lead, *, station: Station | None = None, now: datetime | None = None) -> None:
    """Recompute the score after any change (the reasons are stored for the lead page)."""
    station = station or station_of(lead)
    now = now or utcnow()
    facts = scoring.LeadFacts(
        source=lead.source,
        email=lead.email,
        phone=lead.phone,
        event_date=lead.event_date,
        guests=lead.guests,
        zip_code=lead.zip_code,
        attribution=lead.first_touch or {},
        qr_code_id=lead.qr_code_id,
        created_at=lead.created_at,
        first_response_at=lead.first_response_at,
    )
    result = scoring.score(
        facts,
        today=station_today(station, now),
        now=now,
        sla_minutes=station.settings.first_response_sla_minutes,
    )
    lead.score, lead.score_reasons, lead.temperature = result.points, result.reasons, result.temperature


def open_lead_of(station_id: int, email: str | None, phone: str | None) -> Lead | None:
    """The person's newest open lead at the station, matched on normalised email or phone."""
    terms = same_person(Lead, email, phone)
    if not terms:
        return None
    return db.session.scalars(
        select(Lead)
        .where(
            Lead.station_id == station_id,
            Lead.stage.in_(OPEN_LEAD_STAGES),
            Lead.merged_into_id.is_(None),
            or_(*terms),
        )
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(1)
    ).first()


# --- capture ---------------------------------------------------------------------------


def capture(
    station: Station,
    *,
    source: str,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    message: str = "",
    event_date: date | None = None,
    guests: int | None = None,
    zip_code: str | None = None,
    attribution: Mapping[str, Any] | None = None,
    qr_code_id: int | None = None,
    customer_id: int | None = None,
    owner_id: int | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> Captured:
    """A new lead of the station, or the person's open lead touched again.

    A person who writes again while their lead is open updates it (last touch, message
    appended, blanks filled) instead of opening a second one; the first touch is kept.
    """
    now = now or utcnow()
    email, phone = _email(email), _phone(phone)
    attribution = {k: v for k, v in (attribution or {}).items() if v not in (None, "")}
    qr_code_id = qr_code_id or qr_code_for(station.id, attribution)
    touch = {"at": now.isoformat(), "source": source, **attribution}
    message = (message or "").strip()
    # The same person twice at once (a double-submitted form): one lead, the second touches it.
    locks.hold(*(f"lead:{station.id}:{key}" for key in (email, phone) if key))
    lead = open_lead_of(station.id, email, phone)
    if lead is None:
        customer = None if customer_id else find_match(station.id, email, phone)
        lead = Lead(
            station_id=station.id,
            name=(name or email or phone or "Unknown").strip()[:120],
            email=email,
            phone=phone,
            source=source,
            stage="new",
            message=message[-MAX_MESSAGE_CHARS:],
            event_date=event_date,
            guests=guests,
            zip_code=zip_code,
            first_touch=touch,
            last_touch=touch,
            qr_code_id=qr_code_id,
            customer_id=customer_id or (customer.id if customer else None),
            owner_id=owner_id,
            stage_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        db.session.add(lead)
        db.session.flush()
        event(lead, "created", body=message[:500], data={"source": source, **attribution}, actor=actor, now=now)
        open_first_response_task(station, lead, now=now)
        rescore(lead, station=station, now=now)
        db.session.flush()
        audit.record("lead.created", lead, entity_type="Lead", station_id=station.id, after={"source": source})
        return Captured(lead, True)
    if message:
        combined = f"{lead.message}\n\n---\n{message}" if lead.message else message
        lead.message = combined[-MAX_MESSAGE_CHARS:]
    lead.email = lead.email or email
    lead.phone = lead.phone or phone
    lead.event_date = event_date or lead.event_date
    lead.guests = guests or lead.guests
    lead.zip_code = zip_code or lead.zip_code
    lead.qr_code_id = lead.qr_code_id or qr_code_id
    lead.customer_id = lead.customer_id or customer_id
    lead.last_touch = touch
    event(lead, "touched", body=message[:500], data={"source": source, **attribution}, actor=actor, now=now)
    rescore(lead, station=station, now=now)
    db.session.flush()
    audit.record("lead.touched", lead, entity_type="Lead", station_id=station.id, after={"source": source})
    return Captured(lead, False)


def capture_slot_full(station: Station, data, *, now: datetime | None = None) -> Captured:
    """A booking refused because the slot was full: keep the party as a lead to offer another date.

    `data` is the refused app.bookings.schemas.BookingRequest.
    """
    wanted = f"Tried to book {data.event_date:%a %d %b %Y} at {data.slot}: the slot was full."
    notes = f"\n{data.notes}" if getattr(data, "notes", "") else ""
    return capture(
        station,
        source="slot_full",
        name=data.customer.name,
        email=data.customer.email,
        phone=data.customer.phone,
        message=wanted + notes,
        event_date=data.event_date,
        guests=data.adults + data.children + data.toddlers,
        zip_code=data.zip_code,
        attribution=data.attribution.model_dump(exclude_none=True),
        now=now,
    )


# --- stages ----------------------------------------------------------------------------


def set_stage(lead: Lead, stage: str, user: User | None, now: datetime, *, lost_reason: str = "", data=None) -> None:
    """Record a stage change (timeline, audit, first response); callers have checked the rules."""
    before = lead.stage
    lead.stage = stage
    lead.lost_reason = lost_reason if stage == "lost" else ""
    lead.stage_changed_at = now
    body = f"{STAGE_LABELS[before]} → {STAGE_LABELS[stage]}" + (f": {lost_reason}" if stage == "lost" else "")
    event(lead, "stage", body=body, data={"from": before, "to": stage, **(data or {})}, actor=user, now=now)
    if before == "new":
        close_first_response(lead, user, now=now)  # handled: the first response is done
    audit.record("lead.stage_changed", lead, before={"stage": before}, after={"stage": stage})


def move(lead: Lead, stage: str, user: User | None, *, lost_reason: str = "", now: datetime | None = None) -> None:
    """Move the lead along the pipeline; refused moves change nothing (ValidationFailed)."""
    now = now or utcnow()
    stage = (stage or "").strip()
    lost_reason = (lost_reason or "").strip()
    if lead.merged_into_id is not None:
        raise ValidationFailed("This lead was merged into another one: work on that lead instead.")
    if stage not in LEAD_STAGES:
        raise ValidationFailed("Choose a stage.", fields={"stage": "Unknown stage."})
    if stage == lead.stage:
        raise ValidationFailed(f"The lead is already {STAGE_LABELS[stage].lower()}.", fields={"stage": "Unchanged."})
    if stage == "lost" and not lost_reason:
        raise ValidationFailed("Say why the lead was lost.", fields={"lost_reason": "A reason is required."})
    if len(lost_reason) > MAX_LOST_REASON_CHARS:
        raise ValidationFailed("The reason is too long.", fields={"lost_reason": "At most 255 characters."})
    if stage == "won" and lead.booking_id is None:
        raise ValidationFailed(
            "A lead is won when its booking is made: use “Convert to booking”.", fields={"stage": "Needs a booking."}
        )
    set_stage(lead, stage, user, now, lost_reason=lost_reason)
    rescore(lead, now=now)
    db.session.flush()


def record_contact(lead: Lead, user: User | None, *, now: datetime | None = None) -> None:
    """We answered the person (a reply sent from the inbox): first response, new -> contacted."""
    now = now or utcnow()
    if lead.merged_into_id is not None:
        return
    if lead.stage == "new":
        set_stage(lead, "contacted", user, now)
    else:
        close_first_response(lead, user, now=now)
    rescore(lead, now=now)
    db.session.flush()


def assign_owner(lead: Lead, owner: User | None, actor: User | None) -> None:
    """Who follows the lead up (None: nobody in particular)."""
    if owner is not None and not is_station_member(lead.station_id, owner.id):
        raise ValidationFailed("Choose someone of this station's team.", fields={"owner_id": "Not on the team."})
    before = lead.owner_id
    lead.owner_id = owner.id if owner else None
    body = f"Owner: {owner.name}" if owner else "Owner removed"
    event(lead, "note", body=body, data={"owner_id": lead.owner_id}, actor=actor)
    audit.record("lead.owner_changed", lead, before={"owner_id": before}, after={"owner_id": lead.owner_id})
    db.session.flush()


# --- notes and quotes ------------------------------------------------------------------


def add_note(lead: Lead, user: User | None, text: str, *, now: datetime | None = None) -> LeadEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write the note first.", fields={"note": "Empty."})
    if len(text) > MAX_NOTE_CHARS:
        raise ValidationFailed(f"A note has at most {MAX_NOTE_CHARS} characters.", fields={"note": "Too long."})
    row = event(lead, "note", body=text, actor=user, now=now)
    db.session.flush()
    return row


def record_quote(
    lead: Lead,
    user: User | None,
    party_fields: Mapping[str, Any],
    *,
    zip_code: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Price the party with the pricing service and note it as sent (nothing is sent from here).

    A lead still new or contacted moves to "quoted".
    """
    now = now or utcnow()
    if lead.merged_into_id is not None:
        raise ValidationFailed("This lead was merged into another one: quote that lead instead.")
    station = station_of(lead)
    priced = quote_for_station(station, party_fields, to_zip=zip_code or None, config=current_app.config).as_dict()
    guests = sum(int(party_fields.get(key) or 0) for key in ("adults", "children", "toddlers"))
    lead.quote = priced
    lead.guests = guests or lead.guests
    lead.zip_code = zip_code or lead.zip_code
    summary = {"total_cents": priced["total_cents"], "deposit_cents": priced["deposit_cents"], "guests": guests}
    event(lead, "quote_sent", body=f"Quote for {guests} guests", data={"quote": priced, **summary}, actor=user, now=now)
    if lead.stage in ("new", "contacted"):
        set_stage(lead, "quoted", user, now)
    rescore(lead, station=station, now=now)
    db.session.flush()
    return priced
