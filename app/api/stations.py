"""The one lookup of a station named by the public API (in a path or in a request body)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.api.errors import NotFound
from app.extensions import db
from app.models.station import Station

SLUG = re.compile(r"^[a-z0-9-]{1,60}$")


def active_station(slug: str, *, field: str | None = None) -> Station:
    """The active station with this slug, or 404 `station_not_found`.

    `field`: the request-body field that named it, so the error points at it (a slug
    in the URL path names no field).
    """
    station = None
    if SLUG.fullmatch(slug or ""):  # anything else names no station (and never reaches SQL)
        station = db.session.scalars(select(Station).where(Station.slug == slug, Station.is_active)).first()
    if station is None:
        fields = {field: "Unknown station."} if field else None
        raise NotFound(f"There is no station {(slug or '')[:60]!r}.", fields=fields, code="station_not_found")
    return station
