"""Stations: create and edit (flush, never commit)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from sqlalchemy import select

from app import audit
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.station import Station

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
STATION_FIELDS = ["slug", "name", "timezone", "address", "zip_code", "phone", "email", "is_active"]


def _validate(data: dict, station_id: int | None) -> None:
    fields: dict[str, str] = {}
    if not SLUG.match(data.get("slug", "")):
        fields["slug"] = "Lower-case letters, digits and dashes."
    if data.get("timezone") not in available_timezones():
        fields["timezone"] = "Choose an IANA timezone such as America/New_York."
    if not re.fullmatch(r"[0-9]{5}", data.get("zip_code", "")):
        fields["zip_code"] = "A 5-digit US ZIP code."
    if fields:
        raise ValidationFailed("Check the highlighted fields.", fields=fields)
    clash = db.session.scalar(select(Station.id).where(Station.slug == data["slug"]))
    if clash is not None and clash != station_id:
        raise Conflict("Another station uses that slug.", fields={"slug": "Already in use."})


def create_station(data: dict) -> Station:
    _validate(data, None)
    station = Station(**{k: data[k] for k in STATION_FIELDS if k in data})
    db.session.add(station)
    db.session.flush()
    audit.record("station.created", station, station_id=station.id, after=audit.snapshot(station, STATION_FIELDS))
    return station


def update_station(station: Station, data: dict) -> None:
    _validate(data, station.id)
    before = audit.snapshot(station, STATION_FIELDS)
    for key in STATION_FIELDS:
        if key in data:
            setattr(station, key, data[key])
    old, new = audit.changed(before, audit.snapshot(station, STATION_FIELDS))
    if new:
        audit.record("station.updated", station, station_id=station.id, before=old, after=new)
