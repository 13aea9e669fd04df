"""The current station and the one helper through which station data is read.

The station is resolved once per request from `/s/<station_slug>/...` into `g.station`
(the row) and `g.station_id` (a plain int). Every read of tenant data goes through
`scoped()` or `get_scoped_or_404()`, so another station's id answers 404.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, g
from sqlalchemy import Select, select

from app.extensions import db
from app.ids import MAX_ID, parse_id
from app.models.station import Station
from app.models.user import Membership, Role, User

T = TypeVar("T")


def current_station_id() -> int:
    station_id = g.get("station_id")
    if station_id is None:
        raise RuntimeError("no current station: this code must run under /s/<station_slug>/")
    return station_id


def scoped(model: type[T], *criteria: Any, station_id: int | None = None) -> Select:
    """`select(model)` limited to one station (the current one unless given)."""
    sid = station_id if station_id is not None else current_station_id()
    return select(model).where(model.station_id == sid, *criteria)


def get_scoped_or_404(model: type[T], object_id: Any, station_id: int | None = None) -> T:
    """One row of the current station by primary key, or 404 (also for other stations')."""
    key = object_id if isinstance(object_id, int) else parse_id(object_id)
    if key is None or not 0 < key <= MAX_ID:
        abort(404)
    row = db.session.scalar(scoped(model, model.id == key, station_id=station_id))
    if row is None:
        abort(404)
    return row


def role_at(user: User, station: Station) -> Role | None:
    """The user's role at `station`: owners everywhere, others by membership."""
    if user.is_owner:
        return Role.OWNER
    for membership in user.memberships:
        if membership.station_id == station.id:
            return Role(membership.role)
    return None


def stations_for(user: User) -> list[Station]:
    """Stations the user may open, for the switcher (owners: all active ones)."""
    if user.is_owner:
        return list(db.session.scalars(select(Station).where(Station.is_active).order_by(Station.name)))
    return list(
        db.session.scalars(
            select(Station)
            .join(Membership, Membership.station_id == Station.id)
            .where(Membership.user_id == user.id, Station.is_active)
            .order_by(Station.name)
        )
    )


def members(station_id: int, role: Role) -> list[User]:
    """Active users holding `role` at the station (by membership; owners are not members)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.station_id == station_id, Membership.role == role.value, User.is_active_flag.is_(True))
            .order_by(User.id)
        )
    )


def enter_station(slug: str, user: User) -> None:
    """Resolve the station of this request and the user's role there, or 404."""
    station = db.session.scalar(select(Station).where(Station.slug == slug))
    role = role_at(user, station) if station is not None else None
    # Unknown, inactive (for non-owners) and foreign stations all look the same: 404.
    if station is None or role is None or (not station.is_active and role != Role.OWNER):
        abort(404)
    g.station = station
    g.station_id = station.id
    g.role = role
