"""How many parties a station can serve in each slot, and how many it has sold.

Capacity of (date, slot) = active chefs whose weekly window on that weekday covers the
whole event (slot start to start + event length) minus those on approved time off that
day; zero on a blackout day. Dates and slot times are station-local; `slot_start_utc`
turns them into instants, refusing local times that do not exist (DST gap).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, cast, func, null, select, union_all

from app.errors import ValidationFailed
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import HOLDS_SLOT, Booking
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.station import Station

MAX_RANGE_DAYS = 92  # one request asks for at most a quarter


@dataclass(frozen=True)
class SlotInfo:
    day: date
    slot_time: str
    starts_at: datetime
    capacity: int
    booked: int
    bookable: bool
    reason: str = ""  # why not bookable: "past lead time", "blackout", "full", ...

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def slot_start_utc(timezone: str, day: date, slot_time: str) -> datetime:
    """The UTC instant of a station-local slot; ValidationFailed if it does not exist."""
    zone = ZoneInfo(timezone)
    local = datetime.combine(day, parse_hhmm(slot_time), tzinfo=zone)
    try:
        as_utc = local.astimezone(UTC)
    except OverflowError:  # dates at the edge of the calendar (9999-12-31)
        raise ValidationFailed(f"{day.isoformat()} is not a date we can book.") from None
    # A wall time in a DST gap silently shifts: round-trip to catch it.
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationFailed(f"{slot_time} does not exist on {day.isoformat()} (clocks change).")
    return as_utc


def booking_window(station: Station, now: datetime | None = None) -> tuple[datetime, date]:
    """(earliest bookable instant, last bookable local date) from lead time and horizon."""
    now = now or utcnow()
    settings = station.settings
    local_today = now.astimezone(ZoneInfo(station.timezone)).date()
    return now + timedelta(hours=settings.lead_time_hours), local_today + timedelta(days=settings.horizon_days)


def _slot_end(slot: time, minutes: int) -> time | None:
    """End of an event starting at `slot`, or None when it runs past midnight."""
    end = datetime.combine(date.min, slot) + timedelta(minutes=minutes)
    return end.time() if end.date() == date.min else None


def _covering_chefs(station: Station, windows) -> dict[int, dict[str, frozenset[int] | None]]:
    """weekday -> slot -> chefs whose window covers the whole event (None: the event runs past midnight).

    Computed once per weekday rather than for every day of the range.
    """
    settings = station.settings
    spans = []
    for slot in settings.slot_times:
        start = parse_hhmm(slot)
        spans.append((slot, start, _slot_end(start, settings.slot_duration_minutes)))
    return {
        weekday: {
            slot: None
            if end is None
            else frozenset(
                chef for chef, day, starts, ends in windows if day == weekday and starts <= start and end <= ends
            )
            for slot, start, end in spans
        }
        for weekday in range(7)
    }


def capacities(station: Station, first: date, last: date) -> dict[tuple[date, str], int]:
    """Capacity of every (date, slot) in [first, last], from two queries of plain rows."""
    windows = db.session.execute(
        select(
            AvailabilityWindow.chef_id, AvailabilityWindow.weekday, AvailabilityWindow.starts, AvailabilityWindow.ends
        )
        .join(Chef, Chef.id == AvailabilityWindow.chef_id)
        .where(AvailabilityWindow.station_id == station.id, Chef.is_active)
    ).all()
    # Approved time off and blackouts in one statement; a blackout is a closure without a chef.
    closures = db.session.execute(
        union_all(
            select(TimeOff.chef_id, TimeOff.first_day, TimeOff.last_day).where(
                TimeOff.station_id == station.id,
                TimeOff.status == "approved",
                TimeOff.first_day <= last,
                TimeOff.last_day >= first,
            ),
            select(cast(null(), Integer), Blackout.day, Blackout.day).where(
                Blackout.station_id == station.id, Blackout.day.between(first, last)
            ),
        )
    ).all()
    away = [(chef_id, a, b) for chef_id, a, b in closures if chef_id is not None]
    blackouts = {day for chef_id, day, _ in closures if chef_id is None}
    covering = _covering_chefs(station, windows)

    result: dict[tuple[date, str], int] = {}
    day = first
    while day <= last:
        chefs_away = {chef_id for chef_id, a, b in away if a <= day <= b} if away else None
        for slot, chefs in covering[day.weekday()].items():
            if chefs is None or day in blackouts:
                result[(day, slot)] = 0
            else:
                result[(day, slot)] = len(chefs - chefs_away) if chefs_away else len(chefs)
        day += timedelta(days=1)
    return result


def booked_counts(station_id: int, first: date, last: date) -> dict[tuple[date, str], int]:
    rows = db.session.execute(
        select(Booking.event_date, Booking.slot_time, func.count())
        .where(
            Booking.station_id == station_id,
            Booking.event_date.between(first, last),
            Booking.status.in_([s.value for s in HOLDS_SLOT]),
        )
        .group_by(Booking.event_date, Booking.slot_time)
    ).all()
    return {(d, s): n for d, s, n in rows}


def slot_capacity(station: Station, day: date, slot_time: str) -> int:
    return capacities(station, day, day).get((day, slot_time), 0)


def slots(station: Station, first: date, last: date, now: datetime | None = None) -> list[SlotInfo]:
    """Every slot of [first, last] with capacity, sold count and whether it can be booked."""
    if last < first:
        raise ValidationFailed("'to' must not be before 'from'.", fields={"to": "Before 'from'."})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(f"Ask for at most {MAX_RANGE_DAYS} days at a time.", fields={"to": "Too far."})
    earliest, horizon = booking_window(station, now)
    caps = capacities(station, first, last)
    sold = booked_counts(station.id, first, last)
    result = []
    for (day, slot), capacity in sorted(caps.items()):
        try:
            starts_at = slot_start_utc(station.timezone, day, slot)
        except ValidationFailed:
            continue  # the slot does not exist that day
        booked = sold.get((day, slot), 0)
        reason = slot_refusal(starts_at, day, horizon, earliest, capacity, booked)
        result.append(SlotInfo(day, slot, starts_at, capacity, booked, not reason, reason))
    return result


def slot_refusal(starts_at: datetime, day: date, horizon: date, earliest: datetime, capacity: int, booked: int) -> str:
    """Why a slot cannot be booked, or "" when it can."""
    if starts_at < earliest:
        return "too soon"
    if day > horizon:
        return "too far ahead"
    if capacity == 0:
        return "no chef available"
    if booked >= capacity:
        return "full"
    return ""


def chefs_free_for(station: Station, day: date, slot_time: str) -> list[Chef]:
    """Active chefs who work that slot, are not away and not already assigned in it."""
    settings = station.settings
    start = parse_hhmm(slot_time)
    end = _slot_end(start, settings.slot_duration_minutes)
    if end is None:
        return []
    busy = select(Booking.chef_id).where(
        Booking.station_id == station.id,
        Booking.event_date == day,
        Booking.slot_time == slot_time,
        Booking.chef_id.is_not(None),
        Booking.status.in_([s.value for s in HOLDS_SLOT]),
    )
    away = select(TimeOff.chef_id).where(
        TimeOff.station_id == station.id,
        TimeOff.status == "approved",
        and_(TimeOff.first_day <= day, TimeOff.last_day >= day),
    )
    return list(
        db.session.scalars(
            select(Chef)
            .join(AvailabilityWindow, AvailabilityWindow.chef_id == Chef.id)
            .where(
                Chef.station_id == station.id,
                Chef.is_active,
                AvailabilityWindow.weekday == day.weekday(),
                AvailabilityWindow.starts <= start,
                AvailabilityWindow.ends >= end,
                Chef.id.not_in(busy),
                Chef.id.not_in(away),
            )
            .distinct()
            .order_by(Chef.name)
        )
    )
