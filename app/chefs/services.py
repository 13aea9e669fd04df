"""Chefs, weekly availability windows, time off and blackout dates (flush, never commit).

Every change writes an audit entry in the caller's transaction. Validation failures
raise `ValidationFailed` / `Conflict` with a message a manager can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from app import audit
from app.customers.contact import normalise_email, normalise_phone
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.user import Membership, Role, User

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_OFF_DECISIONS = {"approve": "approved", "reject": "rejected"}
# Bookings a chef still has to cook (completed ones are history).
UPCOMING = (BookingStatus.PENDING_DEPOSIT.value, BookingStatus.CONFIRMED.value)
CHEF_FIELDS = ["name", "phone", "email", "is_active", "user_id"]


@dataclass(frozen=True)
class ChefData:
    name: str
    phone: str = ""
    email: str = ""
    is_active: bool = True
    user_id: int | None = None


# --- chefs ------------------------------------------------------------------------------


def linkable_users(station_id: int, chef: Chef | None = None) -> list[User]:
    """Users with the chef role here who are not linked to another chef of the station."""
    taken = select(Chef.user_id).where(Chef.station_id == station_id, Chef.user_id.is_not(None))
    if chef is not None and chef.id is not None:
        taken = taken.where(Chef.id != chef.id)
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.station_id == station_id,
                Membership.role == Role.CHEF.value,
                User.id.not_in(taken),
            )
            .order_by(User.name)
        )
    )


def _clean(station_id: int, data: ChefData, chef: Chef | None) -> dict:
    fields: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        fields["name"] = "Enter the chef's name."
    elif len(name) > 120:
        fields["name"] = "At most 120 characters."
    try:
        phone = normalise_phone(data.phone) or ""
    except ValueError as error:
        fields["phone"], phone = str(error), ""
    try:
        email = normalise_email(data.email) or ""
    except ValueError:
        fields["email"], email = "Enter a valid email.", ""
    if data.user_id is not None and data.user_id not in {u.id for u in linkable_users(station_id, chef)}:
        fields["user_id"] = "Choose a user with the chef role here who has no chef profile yet."
    if fields:
        raise ValidationFailed("Check the chef's details.", fields=fields)
    return {"name": name, "phone": phone, "email": email, "is_active": data.is_active, "user_id": data.user_id}


def create_chef(station_id: int, data: ChefData) -> Chef:
    values = _clean(station_id, data, None)
    chef = Chef(station_id=station_id, **values)
    db.session.add(chef)
    db.session.flush()
    audit.record("chef.created", chef, after=audit.snapshot(chef, CHEF_FIELDS))
    return chef


def update_chef(chef: Chef, data: ChefData) -> None:
    values = _clean(chef.station_id, data, chef)
    before = audit.snapshot(chef, CHEF_FIELDS)
    for key, value in values.items():
        setattr(chef, key, value)
    old, new = audit.changed(before, audit.snapshot(chef, CHEF_FIELDS))
    if new:
        db.session.flush()
        audit.record("chef.updated", chef, before=old, after=new)


def chef_for_user(station_id: int, user_id: int) -> Chef | None:
    """The chef profile a signed-in chef user is linked to at this station."""
    return db.session.scalar(select(Chef).where(Chef.station_id == station_id, Chef.user_id == user_id))


# --- weekly availability windows --------------------------------------------------------


def add_window(chef: Chef, weekday: int, starts: time | None, ends: time | None) -> AvailabilityWindow:
    """A weekly window; it must start before it ends and not overlap the chef's others."""
    if weekday not in range(7):
        raise ValidationFailed("Choose a weekday.", fields={"weekday": "Choose a weekday."})
    if starts is None or ends is None:
        raise ValidationFailed("Enter a start and an end time.", fields={"starts": "Required."})
    if starts >= ends:
        raise ValidationFailed("A window must start before it ends.", fields={"ends": "After the start."})
    for other in chef.windows:
        if other.weekday == weekday and starts < other.ends and other.starts < ends:
            raise ValidationFailed(
                f"That overlaps {chef.name}'s {WEEKDAYS[weekday]} window {other.starts:%H:%M}–{other.ends:%H:%M}.",
                fields={"starts": "Overlaps another window."},
            )
    window = AvailabilityWindow(station_id=chef.station_id, chef=chef, weekday=weekday, starts=starts, ends=ends)
    db.session.add(window)
    db.session.flush()
    audit.record("chef.window_added", chef, after=_window_dict(window))
    return window


def remove_window(window: AvailabilityWindow) -> None:
    chef = window.chef
    audit.record("chef.window_removed", chef, before=_window_dict(window))
    chef.windows.remove(window)  # delete-orphan
    db.session.flush()


def _window_dict(window: AvailabilityWindow) -> dict:
    return {
        "window_id": window.id,
        "weekday": WEEKDAYS[window.weekday],
        "starts": window.starts.strftime("%H:%M"),
        "ends": window.ends.strftime("%H:%M"),
    }


# --- time off ---------------------------------------------------------------------------


def _check_days(first_day: date | None, last_day: date | None, today: date) -> None:
    if first_day is None or last_day is None:
        raise ValidationFailed("Enter the first and the last day.", fields={"first_day": "Required."})
    if last_day < first_day:
        raise ValidationFailed("The last day cannot be before the first.", fields={"last_day": "Before first."})
    if first_day < today:
        raise ValidationFailed("Time off cannot start in the past.", fields={"first_day": "In the past."})
    if (last_day - first_day).days > 365:
        raise ValidationFailed("Ask for at most a year at a time.", fields={"last_day": "Too long."})


def _add_time_off(
    chef: Chef,
    first_day,
    last_day,
    reason: str,
    *,
    today: date,
    status: str,
    action: str,
    decided_by_id: int | None = None,
) -> TimeOff:
    _check_days(first_day, last_day, today)
    entry = TimeOff(
        station_id=chef.station_id,
        chef=chef,
        first_day=first_day,
        last_day=last_day,
        reason=(reason or "").strip()[:2000],
        status=status,
        decided_by_id=decided_by_id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(action, entry, after=_time_off_dict(entry))
    return entry


def request_time_off(chef: Chef, first_day: date | None, last_day: date | None, reason: str, *, today: date) -> TimeOff:
    """A chef asks for days off; a manager decides. Requested time off changes nothing yet."""
    return _add_time_off(
        chef, first_day, last_day, reason, today=today, status="requested", action="time_off.requested"
    )


def record_time_off(
    chef: Chef, first_day: date | None, last_day: date | None, reason: str, *, today: date, actor_id: int
) -> TimeOff:
    """A manager enters time off for a chef (e.g. one without an account): approved at once."""
    return _add_time_off(
        chef,
        first_day,
        last_day,
        reason,
        today=today,
        status="approved",
        action="time_off.recorded",
        decided_by_id=actor_id,
    )


def decide_time_off(entry: TimeOff, decision: str, *, actor_id: int) -> list[Booking]:
    """Approve or reject; returns bookings the chef holds in those days (to reassign)."""
    status = TIME_OFF_DECISIONS.get(decision)
    if status is None:
        raise ValidationFailed("Approve or reject the request.")
    if entry.status == status:
        raise Conflict(f"That time off is already {status}.")
    before = {"status": entry.status, "decided_by_id": entry.decided_by_id}
    entry.status, entry.decided_by_id = status, actor_id
    db.session.flush()
    audit.record(f"time_off.{status}", entry, before=before, after=_time_off_dict(entry))
    if status != "approved":
        return []
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.station_id == entry.station_id,
                Booking.chef_id == entry.chef_id,
                Booking.status.in_(UPCOMING),
                Booking.event_date.between(entry.first_day, entry.last_day),
            )
            .order_by(Booking.event_date, Booking.slot_time)
        ).unique()
    )


def _time_off_dict(entry: TimeOff) -> dict:
    return {
        "chef_id": entry.chef_id,
        "first_day": entry.first_day.isoformat(),
        "last_day": entry.last_day.isoformat(),
        "status": entry.status,
        "decided_by_id": entry.decided_by_id,
    }


# --- blackout dates ---------------------------------------------------------------------


def add_blackout(station_id: int, day: date | None, reason: str, *, today: date) -> Blackout:
    """A day the station takes no bookings: every slot's capacity becomes 0."""
    if day is None:
        raise ValidationFailed("Enter a date.", fields={"day": "Required."})
    if day < today:
        raise ValidationFailed("That day has passed.", fields={"day": "In the past."})
    exists = db.session.scalar(select(Blackout.id).where(Blackout.station_id == station_id, Blackout.day == day))
    if exists:
        raise Conflict(f"{day:%a %d %b %Y} is already a blackout date.", fields={"day": "Already blacked out."})
    blackout = Blackout(station_id=station_id, day=day, reason=(reason or "").strip()[:255])
    db.session.add(blackout)
    db.session.flush()
    audit.record("blackout.added", blackout, after={"day": day.isoformat(), "reason": blackout.reason})
    return blackout


def remove_blackout(blackout: Blackout) -> None:
    audit.record("blackout.removed", blackout, before={"day": blackout.day.isoformat(), "reason": blackout.reason})
    db.session.delete(blackout)
    db.session.flush()
