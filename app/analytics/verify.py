"""Rebuilding the rollups from the source rows, and holding the pages to the raw queries.

`rebuild` recomputes every family of every station (or one) from a day on, in chunks of
whole months of local days, committing after each: idempotent, safe to run again, and it
also repairs anything the maintenance job could not see. `differences` compares a page
built from the rollups with the same page from app.analytics.reference: every figure
equal (floats to 1e-9, relative), percentiles within app.analytics.histogram's error.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select, text

from app.analytics import histogram, rollups
from app.analytics.filters import StationRef
from app.analytics.tables import Page, Table
from app.extensions import db
from app.models.booking import Booking
from app.models.conversation import Draft, Message
from app.models.lead import Lead
from app.models.payment import Payment, Refund
from app.models.review import Review
from app.models.station import Station

CHUNK_DAYS = 92
# Figures read from histograms, by the seconds in their unit: within histogram.tolerance of the raw value.
MINUTES, DAYS = 60.0, 86400.0
APPROXIMATE = {"p50": MINUTES, "p90": MINUTES, "First response p50": MINUTES, "First response p90": MINUTES,
               "days_to_book": DAYS, "Median days to book": DAYS}  # fmt: skip


def station_refs(slug: str | None = None) -> list[StationRef]:
    stmt = select(Station).order_by(Station.id)
    if slug:
        stmt = stmt.where(Station.slug == slug)
    return [StationRef(s.id, s.slug, s.name, s.timezone, s.settings.first_response_sla_minutes)
            for s in db.session.scalars(stmt)]  # fmt: skip


def _extent(station_id: int) -> tuple[date, date] | None:
    """First and last day any source row of the station is dated (UTC dates, one day of slack)."""
    firsts, lasts = [], []
    for col, station_col in ((Booking.created_at, Booking.station_id), (Payment.created_at, Payment.station_id),
                             (Refund.created_at, Refund.station_id), (Lead.created_at, Lead.station_id),
                             (Message.created_at, Message.station_id), (Draft.decided_at, Draft.station_id),
                             (Review.created_at, Review.station_id)):  # fmt: skip
        low, high = db.session.execute(select(func.min(col), func.max(col)).where(station_col == station_id)).one()
        firsts += [low.date()] if low else []
        lasts += [high.date()] if high else []
    low, high = db.session.execute(
        select(func.min(Booking.event_date), func.max(Booking.event_date)).where(Booking.station_id == station_id)
    ).one()
    firsts += [low] if low else []
    lasts += [high] if high else []
    if not firsts:
        return None
    return min(firsts) - timedelta(days=1), max(lasts) + timedelta(days=1)


def rebuild(station: StationRef, since: date | None = None, progress: Callable[[str], None] = print) -> int:
    """Recompute every rollup of `station` from `since` (default: its first row); returns days."""
    extent = _extent(station.id)
    if extent is None:
        return 0
    first, last = extent
    if since is not None:
        first = since
    rollups.recompute_capacity(
        db.session.get(Station, station.id), first, max(last, date.today() + timedelta(days=366))
    )
    db.session.commit()
    day = first
    while day <= last:
        chunk_end = min(day + timedelta(days=CHUNK_DAYS - 1), last)
        for family in rollups.FAMILIES:
            rollups.recompute(family, station, day, chunk_end)
        db.session.commit()
        progress(f"{station.slug}: {day.isoformat()} to {chunk_end.isoformat()}")
        day = chunk_end + timedelta(days=1)
    return (last - first).days + 1


def analyze() -> None:
    """PostgreSQL: fresh planner statistics after a bulk rebuild (without them it sorts on disk)."""
    from app.analytics.sql import is_postgres
    from app.models.analytics import ROLLUP_TABLES

    if is_postgres():
        db.session.execute(text(f"ANALYZE {', '.join(t.name for t in ROLLUP_TABLES)}"))
        db.session.commit()


def _close(a, b, unit: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        if unit is not None:
            return abs(a - b) * unit <= histogram.tolerance(max(a, b) * unit) + 1e-6
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _row_key(row: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in row.items() if not isinstance(v, float) and k not in APPROXIMATE))


def _table_differences(fast: Table, raw: Table) -> list[str]:
    problems = []
    if Counter(_row_key(r) for r in fast.rows) != Counter(_row_key(r) for r in raw.rows):
        missing = Counter(_row_key(r) for r in raw.rows) - Counter(_row_key(r) for r in fast.rows)
        extra = Counter(_row_key(r) for r in fast.rows) - Counter(_row_key(r) for r in raw.rows)
        return [f"{raw.key}: rows differ: missing {list(missing)[:3]}, extra {list(extra)[:3]}"]
    by_key: dict[tuple, list[dict]] = {}
    for row in raw.rows:
        by_key.setdefault(_row_key(row), []).append(row)
    for row in fast.rows:
        expected = by_key[_row_key(row)].pop(0)
        for name, value in row.items():
            if not _close(value, expected.get(name), APPROXIMATE.get(name)):
                problems.append(f"{raw.key}: {name} is {value!r}, raw {expected.get(name)!r} (row {expected})")
    return problems


def differences(fast: Page, raw: Page) -> list[str]:
    """Every figure of `fast` that is not the raw page's (empty: equal)."""
    problems = []
    for mine, theirs in zip(fast.headlines, raw.headlines, strict=True):
        tolerance = APPROXIMATE.get(mine.label)
        for what in ("value", "previous"):
            if mine.label != theirs.label or not _close(getattr(mine, what), getattr(theirs, what), tolerance):
                problems.append(
                    f"headline {theirs.label} {what}: {getattr(mine, what)!r}, raw {getattr(theirs, what)!r}"
                )
    if [t.key for t in fast.tables] != [t.key for t in raw.tables]:
        return [*problems, "tables differ"]
    for mine, theirs in zip(fast.tables, raw.tables, strict=True):
        problems += _table_differences(mine, theirs)
    return problems
