"""Parsing what the payment forms and filters send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import Field

from app.models.payment import CARD_METHOD, MANUAL_METHODS
from app.web.forms import Cents, FormModel

METHODS = (CARD_METHOD, *MANUAL_METHODS)
ENTRIES = ("payments", "refunds")


class RefundForm(FormModel):
    """Money going back (the service checks the limits and the method)."""

    amount: Cents
    method: str = ""
    reason: str = Field(default="", max_length=2000)


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
