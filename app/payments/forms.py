"""Parsing what the payment forms and filters send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.models.payment import CARD_METHOD, MANUAL_METHODS

METHODS = (CARD_METHOD, *MANUAL_METHODS)
ENTRIES = ("payments", "refunds")


def amount_cents(raw: str | None) -> int:
    """'$1,234.5' -> 123450; anything unreadable -> -1 (refused by the service with a message)."""
    text = (raw or "").strip().lstrip("$").replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return -1
    if not value.is_finite() or value > Decimal("1000000"):
        return -1
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass
class LedgerFilters:
    date_from: date | None = None
    date_to: date | None = None
    method: str = ""
    entry: str = ""  # payments | refunds | "" (both)

    @classmethod
    def from_args(cls, args) -> LedgerFilters:
        def _date(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        method = args.get("method", "")
        entry = args.get("entry", "")
        return cls(
            date_from=_date("from"),
            date_to=_date("to"),
            method=method if method in METHODS else "",
            entry=entry if entry in ENTRIES else "",
        )
