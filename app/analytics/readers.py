"""Reading the daily rollups: which rows a period covers, and its buckets (shared by the pages)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import and_, func, select, true, union_all
from sqlalchemy.sql import ColumnElement, Select

from app.analytics import sql
from app.analytics.filters import Filters


def days(table, filters: Filters, first: date | None = None, last: date | None = None) -> ColumnElement:
    """Rows of the filters' stations for the local days [first, last] (default: the period)."""
    first, last = first or filters.start, last or filters.end
    return and_(sql.in_stations(table.c.station_id, filters), table.c.day.between(first, last))


def span(table, filters: Filters) -> ColumnElement:
    """Rows of both periods (the comparison's too, when compared)."""
    return days(table, filters, filters.span_start, filters.end)


def bucket(table, filters: Filters) -> ColumnElement:
    return sql.bucket_of_date(table.c.day, filters)


def period(table, filters: Filters) -> ColumnElement:
    return sql.period_of_date(table.c.day, filters)


def whole_months(first: date, last: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """[first, last] as the day ranges before and after its whole months, and those months
    (first days of the first and last whole month), or None when there is no whole month."""
    from app.analytics.rollups import month_end, month_start

    start = first if first.day == 1 else month_end(first) + timedelta(days=1)
    end = last if last == month_end(last) else month_start(last) - timedelta(days=1)
    if start > end:
        return [(first, last)], None
    edges = [(a, b) for a, b in ((first, start - timedelta(days=1)), (end + timedelta(days=1), last)) if a <= b]
    return edges, (start, month_start(end))


def histogram(day_table, month_table, filters: Filters, group_of, ranges, keys: Sequence[str], *, monthly: bool,
              where: Callable = lambda table: true(), measures: Sequence[str] = ("n",)) -> Select:  # fmt: skip
    """(grp, station_id, *keys, *measures) summed over `ranges` of local days: whole months from
    the month rows when `monthly` (a year reads 12 rows per key instead of 365), the rest from
    the day rows. Each range must lie in one group (a period, or a month bucket) for the month
    rows to be right."""
    parts = []

    def part(table, first: date, last: date):
        columns = [group_of(table).label("grp"), table.c.station_id, *[table.c[k] for k in [*keys, *measures]]]
        return select(*columns).where(days(table, filters, first, last), where(table))

    for first, last in ranges:
        edges, months = whole_months(first, last) if monthly else ([(first, last)], None)
        parts += [part(day_table, a, b) for a, b in edges]
        if months is not None:
            parts.append(part(month_table, *months))
    every = union_all(*parts).subquery()
    groups = [every.c.grp, every.c.station_id, *[every.c[k] for k in keys]]
    return select(*groups, *[func.sum(every.c[m]) for m in measures]).group_by(*groups)


def periods(filters: Filters) -> list[tuple[date, date]]:
    """The period and, when compared, the one before: ranges that never share a month row."""
    previous = filters.previous
    return [(filters.start, filters.end)] + ([(previous.start, previous.end)] if filters.compare else [])
