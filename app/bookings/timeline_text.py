"""The booking timeline written for people: "Deposit paid: $100.00", not `paid_cents: 0 -> 10000`.

Each timeline entry keeps its raw before/after (the audit log shows those); the booking
page shows `describe(event)`: a title and a few plain lines, money as money, statuses
and dates in words. A key this module does not know still shows, as "Key: old → new".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.web.formatting import money

TITLES = {
    "created": "Booked",
    "confirmed": "Confirmed",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "expired": "Expired: no deposit in time",
    "no_show": "Marked as a no-show",
    "rescheduled": "Rescheduled",
    "chef_assigned": "Chef changed",
    "payment_recorded": "Payment recorded",
    "payment_failed": "Card payment failed",
    "checkout_expired": "Card payment page expired",
    "refund_requested": "Refund requested",
    "refund_recorded": "Refund recorded",
    "refund_succeeded": "Refund completed",
    "refund_failed": "Refund failed",
    "refund_pending": "Refund pending",
    "note": "Note",
}
SOURCES = {"api": "the website", "staff": "staff", "phone": "phone"}
HIDDEN = {"chef_id", "kind", "method", "refund"}  # said by other lines, or internal ids


@dataclass(frozen=True)
class Described:
    title: str
    lines: list[str]


def describe(event, currency: str = "USD") -> Described:
    """The title and plain-language lines of one timeline entry."""
    before, after = dict(event.before or {}), dict(event.after or {})
    title = TITLES.get(event.kind, event.kind.replace("_", " ").capitalize())
    special = _SPECIAL.get(event.kind)
    lines = special(before, after, currency) if special else []
    said = {key for line_keys in _SAYS.get(event.kind, ()) for key in line_keys}
    for key, value in after.items():
        if key in HIDDEN or key in said:
            continue
        lines.append(_change(key, before.get(key), value, key in before, currency))
    return Described(title, lines)


def _created(before: dict, after: dict, currency: str) -> list[str]:
    lines = []
    if "event_date" in after:
        lines.append(f"For {_day(after['event_date'])} at {after.get('slot', '?')}, {_guests(after.get('guests'))}")
    if "total_cents" in after:
        lines.append(f"Total: {money(after['total_cents'], currency)}")
    if after.get("source"):
        lines.append(f"Booked through {SOURCES.get(after['source'], after['source'])}")
    return lines


def _payment(before: dict, after: dict, currency: str) -> list[str]:
    amount = int(after.get("paid_cents") or 0) - int(before.get("paid_cents") or 0)
    what = "Deposit paid" if after.get("kind") == "deposit" else "Paid"
    method = f" ({_words(after['method'])})" if after.get("method") else ""
    return [f"{what}: {money(amount, currency)}{method}", f"Paid so far: {money(after.get('paid_cents'), currency)}"]


def _refund(before: dict, after: dict, currency: str) -> list[str]:
    if "refunded_cents" not in after:
        amount = after.get("refund")  # already written as money by the payments area
        return [f"Amount: {amount}"] if amount else []
    amount = int(after["refunded_cents"]) - int(before.get("refunded_cents") or 0)
    method = f" ({_words(after['method'])})" if after.get("method") else ""
    lines = [f"Refunded so far: {money(after['refunded_cents'], currency)}"]
    return ([f"Refunded: {money(amount, currency)}{method}"] if amount else []) + lines


def _chef(before: dict, after: dict, currency: str) -> list[str]:
    return [f"Chef: {after['chef']}" if after.get("chef") else "Chef: none (to assign again)"]


def _moved(before: dict, after: dict, currency: str) -> list[str]:
    old = f"{_day(before['event_date'])} at {before.get('slot')}" if before.get("event_date") else "?"
    new = f"{_day(after['event_date'])} at {after.get('slot')}" if after.get("event_date") else "?"
    lines = [f"Moved from {old} to {new}"]
    if before.get("chef_id") and not after.get("chef_id"):
        lines.append("The chef does not work the new slot: assign one again")
    return lines


_SPECIAL = {
    "created": _created,
    "payment_recorded": _payment,
    "refund_recorded": _refund,
    "refund_requested": _refund,
    "refund_succeeded": _refund,
    "refund_failed": _refund,
    "refund_pending": _refund,
    "chef_assigned": _chef,
    "rescheduled": _moved,
}
# The keys each special case has already put into words.
_SAYS = {
    "created": [("event_date", "slot", "guests", "total_cents", "source")],
    "payment_recorded": [("paid_cents",)],
    "refund_recorded": [("refunded_cents",)],
    "refund_requested": [("refunded_cents", "status")],
    "refund_succeeded": [("refunded_cents", "refund_status")],
    "refund_failed": [("refunded_cents", "refund_status")],
    "refund_pending": [("refunded_cents", "refund_status")],
    "chef_assigned": [("chef",)],
    "rescheduled": [("event_date", "slot")],
}


def _change(key: str, old: Any, new: Any, had_old: bool, currency: str) -> str:
    label = _words(key.removesuffix("_cents"))
    if key == "status":
        label, old, new = "Status", _words(old), _words(new)
    elif key == "refund_eligible":
        return "The deposit is refundable" if new else "The deposit is not refundable"
    elif key.endswith("_cents"):
        old, new = money(old, currency) if old is not None else None, money(new, currency)
    shown_old = "—" if old is None else old
    return f"{label}: {shown_old} → {new}" if had_old else f"{label}: {new}"


def _words(value: Any) -> str:
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def _day(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%a %d %b %Y")
    except (TypeError, ValueError):
        return str(iso)


def _guests(count: Any) -> str:
    return f"{count} guest{'s' if count != 1 else ''}" if count is not None else "guests unknown"
