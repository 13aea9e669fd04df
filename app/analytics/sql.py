"""SQL building blocks per dialect: station-local buckets, periods, durations, percentiles.

PostgreSQL does the work in the database: `timezone(zone, ts)`, `date_trunc`,
`percentile_cont`. SQLite (the embedded default of `make run`) has no time zones and no
percentiles, so it gets small fallbacks: the UTC offset of each station's zone as a
`CASE` over the DST transitions of the period (exact, computed here from zoneinfo), and
percentiles computed in Python from the grouped values. Each fallback is one small
branch, tested against the same numbers as PostgreSQL (tests/analytics/test_sqlite.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import TIMESTAMP, Date, Integer, Numeric, and_, case, cast, extract, func, literal, or_, select, text
from sqlalchemy.sql import ColumnElement, Select

from app.analytics.filters import Filters, StationRef
from app.extensions import db

CURRENT, PREVIOUS = "current", "previous"


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# --- ranges --------------------------------------------------------------------------


def instant_in_range(col, station_col, filters: Filters, first: date, last: date) -> ColumnElement:
    """`col` (UTC) falls on a station-local day in [first, last], each station in its own zone."""
    bounds = [(s.id, s.midnight_utc(first), s.midnight_utc(last + timedelta(days=1))) for s in filters.stations]
    if len(bounds) == 1:
        station_id, start, end = bounds[0]
        return and_(station_col == station_id, col >= start, col < end)
    # All stations: one index range over the widest bounds (an index-only scan stays possible:
    # an OR of ranges becomes a BitmapOr, which always reads the table), then each station's
    # exact local day boundaries as a filter.
    return and_(
        station_col.in_([b[0] for b in bounds]),
        col >= min(b[1] for b in bounds),
        col < max(b[2] for b in bounds),
        or_(*[and_(station_col == station_id, col >= start, col < end) for station_id, start, end in bounds]),
    )


def in_stations(station_col, filters: Filters) -> ColumnElement:
    ids = filters.station_ids
    return station_col == ids[0] if len(ids) == 1 else station_col.in_(ids)


def period_of_instant(col, station_col, filters: Filters) -> ColumnElement:
    """'current' or 'previous' for an instant already limited to the span of both periods."""
    whens = [(and_(station_col == s.id, col >= s.midnight_utc(filters.start)), CURRENT) for s in filters.stations]
    return case(*whens, else_=PREVIOUS)


def period_of_date(col, filters: Filters) -> ColumnElement:
    return case((col >= filters.start, CURRENT), else_=PREVIOUS)


# --- station-local time --------------------------------------------------------------


def _offset_at(zone: ZoneInfo, instant: datetime) -> int:
    return int(instant.astimezone(zone).utcoffset().total_seconds())


def utc_offsets(timezone: str, first: datetime, last: datetime) -> list[tuple[datetime | None, int]]:
    """[(from instant, offset seconds)] of `timezone` over [first, last]; the first has None.

    Walks the span by hours and bisects each change to the second: a handful of rows
    per year, so the SQL CASE built from them stays small.
    """
    zone = ZoneInfo(timezone)
    current = _offset_at(zone, first)
    result: list[tuple[datetime | None, int]] = [(None, current)]
    probe = first
    while probe < last:
        following = probe + timedelta(hours=1)
        offset = _offset_at(zone, following)
        if offset != current:
            low, high = probe, following  # the change happens in (low, high]
            while (high - low) > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset_at(zone, middle) == current else (low, middle)
            result.append((high.replace(microsecond=0), offset))
            current = offset
        probe = following
    return result


def _sqlite_local(col, station_col, filters: Filters) -> ColumnElement:
    first = datetime.combine(filters.span_start - timedelta(days=2), datetime.min.time(), UTC)
    last = datetime.combine(filters.end + timedelta(days=2), datetime.min.time(), UTC)

    def modifier(station: StationRef) -> ColumnElement:
        offsets = utc_offsets(station.timezone, first, last)
        initial = f"{offsets[0][1]:+d} seconds"
        if len(offsets) == 1:
            return literal(initial)
        # Before the first change: the initial offset; then each change from its instant on.
        whens = [
            (col < since, f"{previous:+d} seconds")
            for (since, _), (_, previous) in zip(offsets[1:], offsets[:-1], strict=True)
        ]
        return case(*whens, else_=f"{offsets[-1][1]:+d} seconds")

    if len(filters.stations) == 1:
        return func.datetime(col, modifier(filters.stations[0]))
    return func.datetime(col, case(*[(station_col == s.id, modifier(s)) for s in filters.stations]))


def local_timestamp(col, station_col, filters: Filters) -> ColumnElement:
    """The UTC instant `col` as the wall-clock time of its station (DST-safe)."""
    if not is_postgres():
        return _sqlite_local(col, station_col, filters)
    if len(filters.stations) == 1:
        zone: Any = literal(filters.stations[0].timezone)
    else:
        zone = case({s.id: s.timezone for s in filters.stations}, value=station_col)
    return func.timezone(zone, col)


def _bucket_pg(value, grain: str) -> ColumnElement:
    return func.to_char(func.date_trunc(grain, value), "YYYY-MM-DD")


def _bucket_sqlite(value, grain: str) -> ColumnElement:
    if grain == "month":
        return func.strftime("%Y-%m-01", value)
    if grain == "week":  # the Monday of the week: next Sunday (or today), 6 days back
        return func.date(value, "weekday 0", "-6 days")
    return func.date(value)


def bucket_of_instant(col, station_col, filters: Filters) -> ColumnElement:
    """'YYYY-MM-DD' of the first day of the station-local day, ISO week or month of `col`."""
    local = local_timestamp(col, station_col, filters)
    return _bucket_pg(local, filters.grain) if is_postgres() else _bucket_sqlite(local, filters.grain)


def bucket_of_date(col, filters: Filters) -> ColumnElement:
    """The same for a column that already holds a station-local date (event_date)."""
    if is_postgres():
        return _bucket_pg(cast(col, TIMESTAMP), filters.grain)
    return _bucket_sqlite(col, filters.grain)


def weekday_of_date(col) -> ColumnElement:
    """0 = Monday ... 6 = Sunday, as Python's date.weekday()."""
    if is_postgres():
        return cast(extract("isodow", col), Integer) - 1
    return (cast(func.strftime("%w", col), Integer) + 6) % 7


def seconds_between(earlier, later) -> ColumnElement:
    if is_postgres():
        return extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


# --- percentiles ---------------------------------------------------------------------


def interpolated(values: Sequence[float], fraction: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def grouped_percentiles(rows: Select, key_count: int, fractions: Sequence[float]) -> dict[tuple, list[float | None]]:
    """Percentiles of the last column of `rows` per combination of its first `key_count` columns.

    PostgreSQL: one GROUP BY with percentile_cont. SQLite: the values are fetched and
    interpolated here (slower, same numbers).
    """
    if is_postgres():
        sub = rows.subquery()
        keys = list(sub.c)[:key_count]
        value = list(sub.c)[key_count]
        stmt = select(*keys, *[func.percentile_cont(f).within_group(value) for f in fractions]).group_by(*keys)
        return {
            tuple(row[:key_count]): [float(v) if v is not None else None for v in row[key_count:]]
            for row in db.session.execute(stmt)
        }
    values: dict[tuple, list[float]] = defaultdict(list)
    for row in db.session.execute(rows):
        if row[key_count] is not None:
            values[tuple(row[:key_count])].append(float(row[key_count]))
    return {key: [interpolated(found, f) for f in fractions] for key, found in values.items()}


def aggregate_with_percentiles(
    source, keys: Sequence, aggregates: Sequence, value, fractions: Sequence[float], where=None
) -> list[tuple]:
    """Rows of (*keys, *aggregates, *percentiles of `value`) grouped by the labelled `keys`.

    PostgreSQL: one query (percentile_cont ignores NULL values). SQLite: the aggregates,
    then the values, interpolated here. Grouping is by label: a key expression carries
    bound values that would not match when repeated in GROUP BY.
    """
    group_by = [text(key.name) for key in keys]
    conditions = [] if where is None else [where]
    if is_postgres():
        stmt = (
            select(*keys, *aggregates, *[func.percentile_cont(f).within_group(value) for f in fractions])
            .select_from(source)
            .where(*conditions)
            .group_by(*group_by)
        )
        return [tuple(row) for row in db.session.execute(stmt)]
    stmt = select(*keys, *aggregates).select_from(source).where(*conditions).group_by(*group_by)
    base = [tuple(row) for row in db.session.execute(stmt)]
    values: dict[tuple, list[float]] = defaultdict(list)
    for row in db.session.execute(select(*keys, value).select_from(source).where(*conditions, value.is_not(None))):
        values[tuple(row[:-1])].append(float(row[-1]))
    return [(*row, *[interpolated(values.get(row[: len(keys)], []), f) for f in fractions]) for row in base]


REPORT_WORK_MEM = "64MB"


def for_reporting() -> None:
    """PostgreSQL: more sort memory for this transaction (the request) only.

    The conversations page sorts the period's messages by thread for its window
    functions (~500,000 rows for two quarters of three busy stations): with the default
    4 MB the sort spills to disk. SET LOCAL ends with the request's transaction.
    """
    if is_postgres():
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


# --- rollups: station-local days and minute bins -------------------------------------


def local_day(col, station_col, filters: Filters) -> ColumnElement:
    """The station-local date of the UTC instant `col` (a DATE on PostgreSQL, 'YYYY-MM-DD' on SQLite)."""
    local = local_timestamp(col, station_col, filters)
    return cast(local, Date) if is_postgres() else func.date(local)


def _whole_minutes(seconds) -> ColumnElement:
    """ceil(seconds / 60), to the millisecond first (julianday() differences carry float noise)."""
    if is_postgres():
        return cast(func.ceil(func.round(cast(seconds, Numeric), 3) / 60), Integer)
    minutes = func.round(seconds, 3) / 60.0
    whole = cast(minutes, Integer)  # SQLite truncates toward zero
    return whole + case((minutes > whole, 1), else_=0)


def duration_bin(seconds) -> ColumnElement:
    """The histogram bin of a duration: app.analytics.histogram.bin_of in SQL (integer arithmetic)."""
    from app.analytics.histogram import BEYOND, STRETCHES

    minutes = _whole_minutes(seconds)
    whens, previous_bin, previous_top = [], 0, 0
    for last_bin, top, width in STRETCHES:
        whens.append((minutes <= top, previous_bin + (minutes - previous_top + width - 1) // width))
        previous_bin, previous_top = last_bin, top
    return case(*whens, else_=previous_bin + (minutes - previous_top + BEYOND - 1) // BEYOND)


def month_of(day) -> ColumnElement:
    """The first day of the month of a DATE column."""
    if is_postgres():
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")
