"""The day-by-day slot picker (templates/components/_slot_picker.html): what it shows.

One component for every door that picks a slot: the staff new-booking and reschedule
forms and the customer's own booking page. It reads the availability service (capacity
and sold seats per slot) for a few days at a time and says, per slot, how many parties
it can still take or why not. The caller names the URL that draws the picker for
another start day (staff: `bookings.slot_picker`; customers: their booking's page), so
the component knows nothing of who is looking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.availability.services import SlotInfo, slots
from app.models.base import utcnow
from app.models.station import Station

DAYS_SHOWN = 7
WHY_NOT = {
    "too soon": "too soon",
    "too far ahead": "not open yet",
    "no chef available": "closed",
    "full": "full",
}


@dataclass(frozen=True)
class PickerSlot:
    value: str  # "2027-06-05|18:00", the radio's value
    time: str
    remaining: int
    bookable: bool
    note: str  # "2 left", "full", "current"
    checked: bool


@dataclass(frozen=True)
class PickerDay:
    day: date
    slots: list[PickerSlot]

    @property
    def open_slots(self) -> int:
        return sum(1 for slot in self.slots if slot.bookable)


@dataclass(frozen=True)
class SlotPicker:
    start: date
    days: list[PickerDay]
    earlier_url: str | None  # None: the picker already starts today
    later_url: str
    timezone: str
    field: str = "choice"

    @property
    def any_open(self) -> bool:
        return any(day.open_slots for day in self.days)


def choice_value(day: date, slot_time: str) -> str:
    return f"{day.isoformat()}|{slot_time}"


def parse_start(raw: str | None, today: date) -> date:
    """The picker's first day from `?from=`: today when missing, unreadable or in the past."""
    try:
        start = date.fromisoformat(raw or "")
    except ValueError:
        return today
    return max(start, today)


def station_today(station: Station, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(station.timezone)).date()


def build(
    station: Station,
    start: date,
    url_for_start: Callable[[date], str],
    *,
    selected: str = "",
    current: tuple[date, str] | None = None,
    now: datetime | None = None,
) -> SlotPicker:
    """The picker for DAYS_SHOWN days from `start`; `current` (a booking's own slot) is shown, not offered."""
    now = now or utcnow()
    today = station_today(station, now)
    # Never before today nor past the booking horizon (9999-12-31 would overflow the date maths).
    start = min(max(start, today), today + timedelta(days=station.settings.horizon_days))
    last = start + timedelta(days=DAYS_SHOWN - 1)
    by_day: dict[date, list[PickerSlot]] = {}
    for info in slots(station, start, last, now=now):
        by_day.setdefault(info.day, []).append(_slot(info, selected, current))
    previous = start - timedelta(days=DAYS_SHOWN)
    return SlotPicker(
        start=start,
        days=[PickerDay(day, entries) for day, entries in sorted(by_day.items())],
        earlier_url=url_for_start(max(previous, today)) if start > today else None,
        later_url=url_for_start(start + timedelta(days=DAYS_SHOWN)),
        timezone=station.timezone,
    )


def _slot(info: SlotInfo, selected: str, current: tuple[date, str] | None) -> PickerSlot:
    value = choice_value(info.day, info.slot_time)
    if current == (info.day, info.slot_time):
        return PickerSlot(value, info.slot_time, 0, False, "current", False)
    if info.bookable:
        return PickerSlot(value, info.slot_time, info.remaining, True, f"{info.remaining} left", value == selected)
    return PickerSlot(value, info.slot_time, 0, False, WHY_NOT.get(info.reason, "closed"), False)
