"""Revenue: booked value, deposits collected, refunds and balances outstanding by period and
station; average party size and value; the upgrades and add-ons mix.

Each figure is dated by what it measures: a booking by the day it was made (and only once
its deposit confirmed it: expired holds were never sales), money by the day it moved,
the balance still owed by the event's date.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, case, cast, func, literal, literal_column, select, true, union_all

from app.analytics import sql
from app.analytics.filters import Filters
from app.analytics.queries.revenue import (  # the page's shape, shared; only the rows differ
    BY_GROUP,
    MEASURES,
    TITLE,
    _with_averages,
)
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table
from app.extensions import db
from app.models.booking import HOLDS_SLOT, Booking
from app.models.payment import Payment, Refund, RefundStatus
from app.stations.settings import DEFAULT_SETTINGS

BOOKED = Booking.confirmed_at.is_not(None)
HOLDING = [s.value for s in HOLDS_SLOT]


def _parts(filters: Filters, group_instant: Callable, group_date: Callable, first, last):
    """One grouped SELECT per source of money, all with the same columns, UNION ALL-ed."""

    def shaped(group, station_col, **measures):
        return [group.label("grp"), station_col.label("station_id")] + [
            (measures[name] if name in measures else literal_column("0")).label(name) for name in MEASURES
        ]

    bookings = (
        select(
            *shaped(
                group_instant(Booking.created_at, Booking.station_id),
                Booking.station_id,
                bookings=func.count(),
                booked_cents=func.sum(Booking.total_cents),
                guests=func.sum(Booking.adults + Booking.children + Booking.toddlers),
            )
        )
        .where(sql.instant_in_range(Booking.created_at, Booking.station_id, filters, first, last), BOOKED)
        .group_by(*BY_GROUP)
    )
    deposits = (
        select(
            *shaped(
                group_instant(Payment.created_at, Payment.station_id),
                Payment.station_id,
                deposits_cents=func.sum(Payment.amount_cents),
            )
        )
        .where(
            sql.instant_in_range(Payment.created_at, Payment.station_id, filters, first, last),
            Payment.kind == "deposit",
            Payment.status == "succeeded",
        )
        .group_by(*BY_GROUP)
    )
    refunds = (
        select(
            *shaped(
                group_instant(Refund.created_at, Refund.station_id),
                Refund.station_id,
                refunds_cents=func.sum(Refund.amount_cents),
            )
        )
        .where(
            sql.instant_in_range(Refund.created_at, Refund.station_id, filters, first, last),
            Refund.status == RefundStatus.SUCCEEDED,
        )
        .group_by(*BY_GROUP)
    )
    owed = Booking.total_cents - (Booking.paid_cents - Booking.refunded_cents)
    outstanding = (
        select(
            *shaped(
                group_date(Booking.event_date),
                Booking.station_id,
                outstanding_cents=func.sum(case((owed > 0, owed), else_=0)),
            )
        )
        .where(
            sql.in_stations(Booking.station_id, filters),
            Booking.event_date.between(first, last),
            Booking.status.in_(HOLDING),
        )
        .group_by(*BY_GROUP)
    )
    every = union_all(bookings, deposits, refunds, outstanding).subquery()
    stmt = (
        select(every.c.grp, every.c.station_id, *[func.sum(every.c[name]) for name in MEASURES])
        .group_by(every.c.grp, every.c.station_id)
        .order_by(every.c.grp, every.c.station_id)
    )
    return [
        {"grp": grp, "station_id": station_id, **{name: int(v or 0) for name, v in zip(MEASURES, values, strict=True)}}
        for grp, station_id, *values in db.session.execute(stmt)
    ]


def by_period(filters: Filters) -> Table:
    rows = _parts(
        filters,
        lambda col, station: sql.bucket_of_instant(col, station, filters),
        lambda col: sql.bucket_of_date(col, filters),
        filters.start,
        filters.end,
    )
    for row in rows:
        row["bucket"] = row.pop("grp")
        row["station"] = filters.station(row.pop("station_id")).name
        _with_averages(row)
    columns = [Column("bucket", "Period", "bucket")]
    if filters.all_stations:
        columns.append(Column("station", "Station", "text"))
    columns += [
        Column("bookings", "Bookings made"),
        Column("booked_cents", "Booked value", "money"),
        Column("deposits_cents", "Deposits collected", "money"),
        Column("refunds_cents", "Refunds", "money"),
        Column("outstanding_cents", "Balance outstanding (events)", "money"),
        Column("avg_guests", "Average party (guests)", "decimal"),
        Column("avg_value_cents", "Average value", "money"),
    ]
    return Table(
        "by_period",
        "Booked value, deposits and refunds",
        columns,
        rows,
        note="Bookings by the day they were made (once the deposit confirmed them); deposits and refunds by the "
        "day the money moved; the balance still owed by the event's date.",
        chart=ChartSpec("bar", "bucket", ("booked_cents",), series="station" if filters.all_stations else None),
    )


def menu_mix(filters: Filters) -> Table:
    """Portions of each upgrade and add-on over the bookings made in the period."""
    labels = {item.key: item.label for item in [*DEFAULT_SETTINGS.upgrades, *DEFAULT_SETTINGS.add_ons]}
    parts = []
    for kind, column in (("Upgrade", Booking.upgrades), ("Add-on", Booking.add_ons)):
        name = f"{kind[0].lower()}_items"
        if sql.is_postgres():
            items = func.json_each_text(column).table_valued("key", "value").render_derived(name=name)
        else:  # SQLite's json_each names its columns key and value itself (no column list allowed)
            items = func.json_each(column).table_valued("key", "value").alias(name)
        parts.append(
            select(
                literal(kind).label("kind"),
                items.c.key.label("item"),
                func.sum(cast(items.c.value, Integer)).label("portions"),
                func.count().label("bookings"),
            )
            .select_from(Booking)
            .join(items, true())
            .where(sql.instant_in_range(Booking.created_at, Booking.station_id, filters, filters.start, filters.end))
            .where(BOOKED)
            .group_by(items.c.key)
        )
    every = union_all(*parts).subquery()
    rows = [
        {"kind": kind, "item": labels.get(item, item.replace("_", " ").capitalize()), "portions": int(portions or 0),
         "bookings": bookings}
        for kind, item, portions, bookings in db.session.execute(
            select(every).order_by(every.c.kind.desc(), every.c.portions.desc(), every.c.item)
        )
    ]  # fmt: skip
    return Table(
        "menu_mix",
        "Upgrades and add-ons",
        [
            Column("kind", "Kind", "text"),
            Column("item", "Item", "text"),
            Column("portions", "Portions"),
            Column("bookings", "Bookings with it"),
        ],
        rows,
        chart=ChartSpec("bar", "item", ("portions",)),
    )


def _totals(filters: Filters) -> dict[str, dict]:
    rows = _parts(
        filters,
        lambda col, station: sql.period_of_instant(col, station, filters),
        lambda col: sql.period_of_date(col, filters),
        filters.span_start,
        filters.end,
    )
    totals = {period: dict.fromkeys(MEASURES, 0) for period in (sql.CURRENT, sql.PREVIOUS)}
    for row in rows:
        for name in MEASURES:
            totals[row["grp"]][name] += row[name]
    return {period: _with_averages(values) for period, values in totals.items()}


def headlines(filters: Filters) -> list[Headline]:
    totals = _totals(filters)
    now, before = totals[sql.CURRENT], totals[sql.PREVIOUS] if filters.compare else {}
    return [
        Headline("Booked value", now["booked_cents"], before.get("booked_cents"), "money"),
        Headline("Bookings made", now["bookings"], before.get("bookings")),
        Headline("Deposits collected", now["deposits_cents"], before.get("deposits_cents"), "money"),
        Headline("Refunds", now["refunds_cents"], before.get("refunds_cents"), "money", higher_is_better=False),
        Headline("Average party", now["avg_guests"], before.get("avg_guests"), "decimal"),
        Headline("Average value", now["avg_value_cents"], before.get("avg_value_cents"), "money"),
    ]


def build(filters: Filters) -> Page:
    return Page("revenue", TITLE, headlines(filters), [by_period(filters), menu_mix(filters)])


TABLES = {"by_period": by_period, "menu_mix": menu_mix}
