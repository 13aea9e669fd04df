"""What a query hands to the page: tables (with the chart drawn from them) and headline numbers.

A table is the truth behind its chart: the page shows both, the CSV export writes the
table. Values stay raw (cents, fractions, minutes); formatting happens at display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.numbers import format_currency

KINDS = ("text", "int", "money", "pct", "minutes", "decimal", "bucket")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"


@dataclass(frozen=True)
class ChartSpec:
    """Draw `values` (column keys) against `x`; or one column split into series by `series`."""

    kind: str  # bar | line
    x: str
    values: tuple[str, ...]
    series: str | None = None
    title: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    chart: ChartSpec | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Headline:
    label: str
    value: float | int | None
    previous: float | int | None = None
    kind: str = "int"
    higher_is_better: bool = True

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (None when not comparable)."""
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous)

    @property
    def tone(self) -> str:
        change = self.change
        if change is None or abs(change) < 0.005:
            return "muted"
        return "ok" if (change > 0) == self.higher_is_better else "bad"


@dataclass
class Page:
    key: str
    title: str
    headlines: list[Headline] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def bucket_label(value: str | None, grain: str) -> str:
    if not value:
        return "—"
    day = date.fromisoformat(str(value)[:10])
    if grain == "month":
        return day.strftime("%b %Y")
    if grain == "week":
        return "Week of " + day.strftime("%d %b %Y")
    return day.strftime("%a %d %b %Y")


def display(value: Any, kind: str, currency: str = "USD", grain: str = "month") -> str:
    """A value for people (tables, tooltips)."""
    if value is None:
        return "—"
    if kind == "money":
        return format_currency(value / 100, currency, locale="en_US", format="¤#,##0", currency_digits=False)
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "minutes":
        return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"
    if kind == "decimal":
        return f"{value:,.2f}"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "bucket":
        return bucket_label(value, grain)
    return str(value)


def machine(value: Any, kind: str) -> str:
    """A value for spreadsheets (CSV): dollars with cents, fractions, plain numbers."""
    if value is None:
        return ""
    if kind == "money":
        return f"{value / 100:.2f}"
    if kind == "pct":
        return f"{value:.4f}"
    if kind in ("minutes", "decimal"):
        return f"{value:.2f}"
    return str(value)
