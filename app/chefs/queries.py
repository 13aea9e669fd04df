"""Read side of the chef pages: the list, the capacity preview, schedules, event sheets.

List pages read a fixed number of queries whatever the number of chefs (eager loads
and aggregate queries, no lazy loads per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.availability.services import booked_counts, capacities
from app.chefs.services import UPCOMING
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.station import Station
from app.models.user import User
from app.tenancy import scoped

PREVIEW_DAYS = 14


def station_today(station: Station, now: datetime | None = None) -> date:
    """Today's date where the station is (not where the server is)."""
    return (now or utcnow()).astimezone(ZoneInfo(station.timezone)).date()


@dataclass(frozen=True)
class ChefRow:
    chef: Chef
    upcoming: int
    user_name: str | None


def chef_rows(station_id: int, today: date) -> list[ChefRow]:
    """Every chef with their upcoming event count and linked user: three queries."""
    upcoming = (
        select(Booking.chef_id, func.count().label("n"))
        .where(
            Booking.station_id == station_id,
            Booking.status.in_(UPCOMING),
            Booking.event_date >= today,
            Booking.chef_id.is_not(None),
        )
        .group_by(Booking.chef_id)
        .subquery()
    )
    rows = db.session.execute(
        scoped(Chef, station_id=station_id)
        .add_columns(func.coalesce(upcoming.c.n, 0), User.name)
        .outerjoin(upcoming, upcoming.c.chef_id == Chef.id)
        .outerjoin(User, User.id == Chef.user_id)
        .options(selectinload(Chef.windows))
        .order_by(Chef.is_active.desc(), Chef.name)
    ).all()
    return [ChefRow(chef, count, user_name) for chef, count, user_name in rows]


def pending_time_off(station_id: int) -> list[TimeOff]:
    return list(
        db.session.scalars(
            scoped(TimeOff, TimeOff.status == "requested", station_id=station_id)
            .options(selectinload(TimeOff.chef))
            .order_by(TimeOff.first_day)
        )
    )


def blackouts(station_id: int, today: date) -> list[Blackout]:
    return list(
        db.session.scalars(scoped(Blackout, Blackout.day >= today, station_id=station_id).order_by(Blackout.day))
    )


@dataclass(frozen=True)
class PreviewDay:
    day: date
    blackout: bool
    cells: list[tuple[str, int, int]]  # (slot, capacity, booked)


def capacity_preview(station: Station, today: date, days: int = PREVIEW_DAYS) -> list[PreviewDay]:
    """The next `days` days x the station's slots: capacity and parties booked."""
    last = today + timedelta(days=days - 1)
    caps = capacities(station, today, last)
    sold = booked_counts(station.id, today, last)
    dark = set(
        db.session.scalars(
            select(Blackout.day).where(Blackout.station_id == station.id, Blackout.day.between(today, last))
        )
    )
    result = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        cells = [(slot, caps.get((day, slot), 0), sold.get((day, slot), 0)) for slot in station.settings.slot_times]
        result.append(PreviewDay(day, day in dark, cells))
    return result


def bookings_held_on(station_id: int, day: date) -> int:
    """Parties already booked on a day (to warn before blacking it out)."""
    return (
        db.session.scalar(
            select(func.count()).where(
                Booking.station_id == station_id, Booking.event_date == day, Booking.status.in_(UPCOMING)
            )
        )
        or 0
    )


# --- one chef's schedule ----------------------------------------------------------------


def chef_with_schedule(station_id: int, chef_id: int) -> Chef | None:
    return db.session.scalar(
        scoped(Chef, Chef.id == chef_id, station_id=station_id).options(
            selectinload(Chef.windows), selectinload(Chef.time_off)
        )
    )


def upcoming_events(chef: Chef, today: date) -> list[Booking]:
    """The chef's bookings still to cook (awaiting deposit or confirmed), soonest first."""
    return list(
        db.session.scalars(
            scoped(
                Booking,
                Booking.chef_id == chef.id,
                Booking.status.in_(UPCOMING),
                Booking.event_date >= today,
                station_id=chef.station_id,
            ).order_by(Booking.starts_at)
        )
    )


def windows_by_weekday(windows: list[AvailabilityWindow]) -> dict[int, list[AvailabilityWindow]]:
    grouped: dict[int, list[AvailabilityWindow]] = {day: [] for day in range(7)}
    for window in sorted(windows, key=lambda w: (w.weekday, w.starts)):
        grouped[window.weekday].append(window)
    return grouped


def deciders(entries: list[TimeOff]) -> dict[int, str]:
    """Names of the managers who decided these time-off entries (one query)."""
    ids = {e.decided_by_id for e in entries if e.decided_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# --- event sheet ------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLine:
    label: str
    quantity: int


def menu_lines(station: Station, booking: Booking) -> tuple[list[SheetLine], list[SheetLine]]:
    """Upgrades and add-ons with the station's labels (unknown keys shown as they are)."""
    settings = station.settings

    def lines(chosen: dict, find) -> list[SheetLine]:
        result = []
        for key, quantity in sorted((chosen or {}).items()):
            if not quantity:
                continue
            item = find(key)
            result.append(SheetLine(item.label if item else key.replace("_", " ").capitalize(), int(quantity)))
        return result

    return lines(booking.upgrades, settings.upgrade), lines(booking.add_ons, settings.add_on)
