"""Stations: create and edit (flush, never commit)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from sqlalchemy import select

from app import audit
from app.customers.contact import normalise_phone
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.station import Station

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
STATION_FIELDS = [
    "slug",
    "name",
    "timezone",
    "address",
    "zip_code",
    "phone",
    "email",
    "is_active",
    "sms_number",
    "instagram_account_id",
    "inbox_email",
]
# Inbound messages are routed by these: two stations may not share one.
CHANNEL_ADDRESSES = {
    "sms_number": "Another station texts from that number.",
    "instagram_account_id": "Another station uses that Instagram account.",
    "inbox_email": "Another station receives mail at that address.",
}


def _validate(data: dict, station_id: int | None) -> None:
    fields: dict[str, str] = {}
    if not SLUG.match(data.get("slug", "")):
        fields["slug"] = "Lower-case letters, digits and dashes."
    if data.get("timezone") not in available_timezones():
        fields["timezone"] = "Choose an IANA timezone such as America/New_York."
    if not re.fullmatch(r"[0-9]{5}", data.get("zip_code", "")):
        fields["zip_code"] = "A 5-digit US ZIP code."
    if data.get("sms_number"):
        try:
            data["sms_number"] = normalise_phone(data["sms_number"])
        except ValueError:
            fields["sms_number"] = "A phone number such as +1 404 555 0100."
    if data.get("inbox_email"):
        data["inbox_email"] = data["inbox_email"].strip().lower()
    if fields:
        raise ValidationFailed("Check the highlighted fields.", fields=fields)
    clash = db.session.scalar(select(Station.id).where(Station.slug == data["slug"]))
    if clash is not None and clash != station_id:
        raise Conflict("Another station uses that slug.", fields={"slug": "Already in use."})
    for name, message in CHANNEL_ADDRESSES.items():
        value = data.get(name)
        if not value:
            continue
        owner = db.session.scalar(select(Station.id).where(getattr(Station, name) == value))
        if owner is not None and owner != station_id:
            raise Conflict(message, fields={name: "Already in use."})


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
