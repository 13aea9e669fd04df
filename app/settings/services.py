"""Read the settings form into StationSettings and save the overrides.

The form shows money in dollars and menus as lines of text; this module turns them
into the cents and items `StationSettings` validates, and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from app import audit
from app.errors import ValidationFailed, human_message
from app.models.station import Station
from app.stations.settings import MenuItem, StationSettings


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # money | int | time | times | items | words
    group: str
    hint: str = ""


FIELDS = [
    Field("adult_price_cents", "Adult price (per guest)", "money", "Menu"),
    Field("child_price_cents", "Child price (per guest)", "money", "Menu"),
    Field("adult_min_age", "Adults from age", "int", "Menu"),
    Field("child_min_age", "Children from age (younger eat free)", "int", "Menu"),
    Field("party_minimum_cents", "Party minimum", "money", "Menu"),
    Field("proteins", "Proteins", "words", "Menu"),
    Field("proteins_per_guest", "Proteins per guest", "int", "Menu"),
    Field(
        "upgrades", "Upgrades, per portion", "items", "Menu", "a short key (letters), the name guests see, the price"
    ),
    Field("add_ons", "Add-ons", "items", "Menu", "a short key (letters), the name guests see, the price"),
    Field("travel_free_miles", "Free travel (miles)", "int", "Travel"),
    Field("travel_per_mile_cents", "Then per mile", "money", "Travel"),
    Field("service_radius_miles", "Service radius (miles)", "int", "Travel"),
    Field("deposit_cents", "Deposit", "money", "Deposit"),
    Field("deposit_due_hours", "Deposit due within (hours)", "int", "Deposit"),
    Field("payment_methods", "Ways to pay by hand", "words", "Deposit", "e.g. Cash, Venmo, Zelle"),
    Field("gratuity_percent", "Suggested gratuity (%)", "int", "Deposit", "never required; 0 suggests no figure"),
    Field("slot_times", "Slot start times", "times", "Slots", "station-local, like 18:00"),
    Field("slot_duration_minutes", "Event length (minutes)", "int", "Slots"),
    Field("lead_time_hours", "Book at least (hours ahead)", "int", "Slots"),
    Field("horizon_days", "Book at most (days ahead)", "int", "Slots"),
    Field("refund_cutoff_days", "Deposit refundable until (days before)", "int", "Policies"),
    Field("free_reschedules", "Free reschedules", "int", "Policies"),
    Field("reschedule_notice_hours", "Reschedule notice (hours)", "int", "Policies"),
    Field("guest_count_final_hours", "Guest count final (hours before)", "int", "Policies"),
    Field("balance_due_days", "Balance due (days before)", "int", "Policies", "reminders N+4 and N days before"),
    Field("reminder_hours_before", "Reminder (hours before the event)", "int", "Messages"),
    Field("review_request_delay_hours", "Review request (hours after)", "int", "Messages"),
    Field("review_reminder_days", "Review reminder (days after the request)", "int", "Messages"),
    Field("quiet_hours_start", "SMS quiet hours from", "time", "Messages"),
    Field("quiet_hours_end", "SMS quiet hours until", "time", "Messages"),
    Field("first_response_sla_minutes", "First response target (minutes)", "int", "Messages"),
]


class FieldProblem(ValueError):
    """A message fit to show beside the field."""


def _cents(text: str) -> int:
    try:
        value = Decimal(text.strip().lstrip("$").replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise FieldProblem("Enter an amount like 55 or 55.00") from None
    try:
        # quantize() itself raises on huge values such as "1e30" (beyond the precision).
        ok = value.is_finite() and value >= 0 and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        ok = False
    if not ok:
        raise FieldProblem("Enter a positive amount with at most 2 decimals")
    return int(value * 100)


def _items(text: str) -> list[dict]:
    items = []
    for number, line in enumerate(filter(None, (ln.strip() for ln in text.splitlines())), 1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise FieldProblem(f"Row {number}: fill in the key, the label and the price")
        try:
            price = _cents(parts[2])
        except FieldProblem as problem:
            raise FieldProblem(f"Row {number}: {problem}") from None
        items.append({"key": parts[0], "label": parts[1], "price_cents": price})
    return items


PARSERS = {
    "money": _cents,
    "int": lambda text: int(text.strip()),
    "time": lambda text: text.strip(),
    "times": lambda text: [t.strip() for t in text.replace("\n", ",").split(",") if t.strip()],
    "items": _items,
    "words": lambda text: [w.strip() for w in text.splitlines() if w.strip()],
}


def _money_text(cents: int) -> str:
    return f"{cents / 100:.2f}"


def form_values(settings: StationSettings) -> dict[str, str]:
    values = {}
    for field in FIELDS:
        value = getattr(settings, field.name)
        if field.kind == "money":
            values[field.name] = _money_text(value)
        elif field.kind == "times":
            values[field.name] = ", ".join(value)
        elif field.kind == "items":
            values[field.name] = "\n".join(f"{i.key} | {i.label} | {_money_text(i.price_cents)}" for i in value)
        elif field.kind == "words":
            values[field.name] = "\n".join(value)
        else:
            values[field.name] = str(value)
    return values


# Lists are edited as rows (one input per cell, a "remove" box per row, blank rows to add):
# the rows are read back into the lines the parsers above take, so one set of rules and
# messages serves both. "Row 2" in a message is the second filled row.
ROW_CELLS = {"items": ("key", "label", "price"), "words": ("value",), "times": ("value",)}
BLANK_ROWS = 2
MAX_ROWS = 60


def rows(kind: str, text: str, extra: int = BLANK_ROWS) -> list[list[str]]:
    """The rows of a list setting from its text (as shown, or as typed), plus blank rows to fill."""
    width = len(ROW_CELLS[kind])
    lines = text.replace(",", "\n").splitlines() if kind == "times" else text.splitlines()
    filled = []
    for line in filter(None, (ln.strip() for ln in lines)):
        cells = [cell.strip() for cell in line.split("|")] if width > 1 else [line]
        filled.append((cells + [""] * width)[:width] if width > 1 else cells)
    return filled + [[""] * width for _ in range(min(extra, MAX_ROWS))]


def rows_to_text(form, name: str, kind: str) -> str | None:
    """The posted rows of one list setting as its text lines (None: the form sent no rows)."""
    cells = ROW_CELLS[kind]
    lines = []
    found = False
    for index in range(MAX_ROWS):
        values = [(form.get(f"{name}-{index}-{cell}") or "").strip() for cell in cells]
        if not any(f"{name}-{index}-{cell}" in form for cell in cells):
            continue
        found = True
        if form.get(f"{name}-{index}-remove") or not any(values):
            continue  # removed, or left blank
        lines.append(" | ".join(values))
    return "\n".join(lines) if found else None


def typed_values(form) -> dict[str, str]:
    """The posted form with list rows folded back into text, one value per setting."""
    values = {}
    for field in FIELDS:
        text = rows_to_text(form, field.name, field.kind) if field.kind in ROW_CELLS else None
        values[field.name] = text if text is not None else (form.get(field.name) or "")
    return values


def parse_form(form: dict[str, str], current: StationSettings | None = None) -> StationSettings:
    """A validated StationSettings from the posted form, or ValidationFailed by field.

    Settings the form does not show (the AI budget, currency, locale) keep their `current`
    values: the form changes what it shows and nothing else.
    """
    data: dict = current.model_dump() if current is not None else {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        try:
            data[field.name] = PARSERS[field.kind](form.get(field.name, ""))
        except FieldProblem as exc:
            errors[field.name] = str(exc)
        except ValueError:
            errors[field.name] = "Enter a whole number."
    if not errors:
        try:
            return StationSettings.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "form"
                errors.setdefault(name, human_message(err))
    raise ValidationFailed("Some settings need a correction.", fields=errors)


def save_settings(station: Station, settings: StationSettings) -> None:
    before = station.settings.model_dump(mode="json")
    station.settings_overrides = settings.overrides()
    old, new = audit.changed(before, settings.model_dump(mode="json"))
    if new:
        audit.record("station.settings_changed", station, station_id=station.id, before=old, after=new)


__all__ = ["FIELDS", "MenuItem", "form_values", "parse_form", "rows", "save_settings", "typed_values"]
