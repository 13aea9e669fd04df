"""Leads from the public site's quote-request and contact forms.

Lives here until app/leads exists; it follows the service rules (flush, never commit).
A person who writes again while their lead is still open updates that lead (last
touch, message appended) instead of opening a second one; the first touch is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from app import audit
from app.api.errors import NotFound
from app.api.schemas import LeadRequest
from app.customers.services import find_match
from app.extensions import db
from app.models.base import utcnow
from app.models.lead import Lead
from app.models.station import Station
from app.pricing import UnknownZip, ZipCentroidProvider

OPEN_STAGES = ("new", "contacted", "quoted", "nurturing")
MAX_MESSAGE_CHARS = 20_000  # a lead's accumulated messages, newest kept


def station_for_lead(slug: str | None, zip_code: str | None) -> Station:
    """The named active station; else the one nearest the ZIP; else the first one."""
    active = select(Station).where(Station.is_active)
    if slug:
        station = db.session.scalars(active.where(Station.slug == slug)).first()
        if station is None:
            raise NotFound(
                f"There is no station {slug[:60]!r}.", fields={"station": "Unknown station."}, code="station_not_found"
            )
        return station
    stations = list(db.session.scalars(active.order_by(Station.id)))
    if not stations:
        raise NotFound("No station takes requests at the moment.", code="station_not_found")
    if zip_code and len(stations) > 1:
        # Offline centroids on purpose: one form must not cost a routing call per station.
        provider = ZipCentroidProvider()
        distances = []
        for station in stations:
            try:
                distances.append((provider.miles(station.zip_code, zip_code).miles, station.id, station))
            except UnknownZip:
                continue
        if distances:
            return min(distances, key=lambda row: row[:2])[2]
    return stations[0]


def _touch(data: LeadRequest, now: datetime) -> dict[str, Any]:
    return {"at": now.isoformat(), "form": data.kind, **data.attribution.model_dump(exclude_none=True)}


def _open_lead(station_id: int, email: str | None, phone: str | None) -> Lead | None:
    same_person = []
    if email:
        same_person.append(Lead.email == email)
    if phone:
        same_person.append(Lead.phone == phone)
    return db.session.scalars(
        select(Lead)
        .where(Lead.station_id == station_id, Lead.stage.in_(OPEN_STAGES), or_(*same_person))
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(1)
    ).first()


def record_lead(station: Station, data: LeadRequest, *, now: datetime | None = None) -> Lead:
    """Create the lead (source = the form's kind), or update the person's open lead."""
    now = now or utcnow()
    touch = _touch(data, now)
    lead = _open_lead(station.id, data.email, data.phone)
    if lead is None:
        customer = find_match(station.id, data.email, data.phone)
        lead = Lead(
            station_id=station.id,
            name=data.name,
            email=data.email,
            phone=data.phone,
            source=data.kind,
            stage="new",
            message=data.message,
            event_date=data.event_date,
            guests=data.guests,
            zip_code=data.zip_code,
            first_touch=touch,
            last_touch=touch,
            customer_id=customer.id if customer else None,
        )
        db.session.add(lead)
        db.session.flush()
        audit.record("lead.created", lead, entity_type="Lead", station_id=station.id, after={"source": data.kind})
        return lead
    if data.message:
        combined = f"{lead.message}\n\n---\n{data.message}" if lead.message else data.message
        lead.message = combined[-MAX_MESSAGE_CHARS:]
    lead.email = lead.email or data.email
    lead.phone = lead.phone or data.phone
    lead.event_date = data.event_date or lead.event_date
    lead.guests = data.guests or lead.guests
    lead.zip_code = data.zip_code or lead.zip_code
    lead.last_touch = touch
    db.session.flush()
    audit.record("lead.touched", lead, entity_type="Lead", station_id=station.id, after={"source": data.kind})
    return lead
