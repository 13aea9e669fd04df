"""Leads from the public site's quote-request and contact forms: the station they go to,
then app.leads.services.capture (duplicates, touches, score, first-response task)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.api.errors import NotFound
from app.api.schemas import LeadRequest
from app.api.stations import active_station
from app.extensions import db
from app.leads.services import capture
from app.models.lead import Lead
from app.models.station import Station
from app.pricing import UnknownZip, ZipCentroidProvider


def station_for_lead(slug: str | None, zip_code: str | None) -> Station:
    """The named active station; else the one nearest the ZIP; else the first one."""
    active = select(Station).where(Station.is_active)
    if slug:
        return active_station(slug, field="station")
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


def record_lead(station: Station, data: LeadRequest, *, now: datetime | None = None) -> Lead:
    """Create the lead (source = the form's kind), or update the person's open lead."""
    return capture(
        station,
        source=data.kind,
        name=data.name,
        email=data.email,
        phone=data.phone,
        message=data.message,
        event_date=data.event_date,
        guests=data.guests,
        zip_code=data.zip_code,
        attribution=data.attribution.model_dump(exclude_none=True),
        now=now,
    ).lead
