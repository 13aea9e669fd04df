"""The leads forms: HTML fields -> checked values (ValidationFailed names the fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.customers.contact import normalise_email, normalise_phone
from app.errors import ValidationFailed
from app.ids import parse_id

MAX_GUESTS = 500


@dataclass(frozen=True)
class NewLead:
    name: str
    email: str | None
    phone: str | None
    message: str
    event_date: date | None
    guests: int | None
    zip_code: str | None
    attribution: dict


def _date(raw: str, errors: dict[str, str], name: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "A date like 2027-06-05."
        return None


def parse_new_lead(form) -> NewLead:
    """A lead taken on the phone or at an event."""
    errors: dict[str, str] = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = "Required."
    elif len(name) > 120:
        errors["name"] = "At most 120 characters."
    email = phone = None
    try:
        email = normalise_email(form.get("email"))
    except ValueError:
        errors["email"] = "Not a valid email address."
    try:
        phone = normalise_phone(form.get("phone"))
    except ValueError as exc:
        errors["phone"] = str(exc)
    if not errors.get("email") and not errors.get("phone") and not email and not phone:
        errors["email"] = "Give an email address or a phone number."
    guests = None
    raw_guests = (form.get("guests") or "").strip()
    if raw_guests:
        if raw_guests.isdigit() and 1 <= int(raw_guests) <= MAX_GUESTS:
            guests = int(raw_guests)
        else:
            errors["guests"] = f"A number from 1 to {MAX_GUESTS}."
    zip_code = (form.get("zip_code") or "").strip() or None
    if zip_code and not (len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()):
        errors["zip_code"] = "Five digits."
    event_date = _date(form.get("event_date"), errors, "event_date")
    message = (form.get("message") or "").strip()
    if len(message) > 5000:
        errors["message"] = "At most 5000 characters."
    how = (form.get("how_heard") or "").strip()[:100]
    if errors:
        raise ValidationFailed("Please check the highlighted fields.", fields=errors)
    return NewLead(name, email, phone, message, event_date, guests, zip_code, {"utm_source": how} if how else {})


def parse_due(raw: str | None, timezone: str) -> datetime | None:
    """A datetime-local value ("2027-06-05T14:30") read as station-local time, as UTC."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
        if not 2000 <= local.year <= 2100:
            raise ValueError("out of range")  # near year 9999 the timezone arithmetic overflows
    except ValueError:
        raise ValidationFailed(
            "Give the due time as date and time.", fields={"due_at": "Not a date and time."}
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC"))


def optional_id(raw: str | None, field: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise ValidationFailed("Choose from the list.", fields={field: "Unknown."})
    return value
