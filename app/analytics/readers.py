"""Reading the daily rollups: which rows a period covers, and its buckets (shared by the pages)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_
from sqlalchemy.sql import ColumnElement

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
