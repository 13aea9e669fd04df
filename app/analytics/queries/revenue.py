"""Revenue: booked value, deposits collected, refunds and balances outstanding by period and
station; average party size and value; the upgrades and add-ons mix.

Each figure is dated by what it measures: a booking by the day it was made (and only once
its deposit confirmed it: expired holds were never sales), money by the day it moved,
the balance still owed by the event's date. Read from the daily rollups (the same
numbers as app.analytics.reference.revenue computes from the source rows).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, literal_column, select, text, union_all

from app.analytics import readers, sql
from app.analytics.filters import Filters
from app.analytics.rollups import MENU_LABELS
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models import analytics as r

TITLE = "Revenue"
# By output name: the group expression carries bound values, repeating it would not match.
BY_GROUP = (text("grp"), text("station_id"))
MEASURES = ("bookings", "booked_cents", "guests", "deposits_cents", "refunds_cents", "outstanding_cents")


def _parts(filters: Filters, group_of: Callable, first, last):
    """One grouped SELECT per rollup, all with the same columns, UNION ALL-ed (groups as the raw rows give)."""

    def part(table, having, *where, **measures):
        columns = [group_of(table).label("grp"), table.c.station_id.label("station_id")] + [
            (func.sum(table.c[measures[name]]) if name in measures else literal_column("0")).label(name)
            for name in MEASURES
        ]
        return (
            select(*columns)
            .where(readers.days(table, filters, first, last), *where)
            .group_by(*BY_GROUP)
            .having(func.sum(table.c[having]) > 0)
        )

    made, money, events = r.booking_days, r.money_days, r.event_days
    every = union_all(
        part(made, "confirmed", made.c.dim == "channel", bookings="confirmed", booked_cents="booked_cents",
             guests="guests"),
        part(money, "deposits", deposits_cents="deposits_cents"),
        part(money, "refunds", refunds_cents="refunds_cents"),
        part(events, "holding", outstanding_cents="outstanding_cents"),
    ).subquery()  # fmt: skip
    stmt = (
        select(every.c.grp, every.c.station_id, *[func.sum(every.c[name]) for name in MEASURES])
        .group_by(every.c.grp, every.c.station_id)
        .order_by(every.c.grp, every.c.station_id)
    )
    return [
        {"grp": grp, "station_id": station_id, **{name: int(v or 0) for name, v in zip(MEASURES, values, strict=True)}}
        for grp, station_id, *values in db.session.execute(stmt)
    ]


def _with_averages(row: dict) -> dict:
    row["avg_guests"] = ratio(row["guests"], row["bookings"])
    row["avg_value_cents"] = ratio(row["booked_cents"], row["bookings"])
    return row


def by_period(filters: Filters) -> Table:
    rows = _parts(filters, lambda table: readers.bucket(table, filters), filters.start, filters.end)
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
    menu = r.menu_days
    portions = func.sum(menu.c.portions)
    stmt = (
        select(menu.c.kind, menu.c.item, portions, func.sum(menu.c.bookings))
        .where(readers.days(menu, filters))
        .group_by(menu.c.kind, menu.c.item)
        .order_by(menu.c.kind.desc(), portions.desc(), menu.c.item)
    )
    rows = [
        {"kind": kind, "item": MENU_LABELS.get(item, item.replace("_", " ").capitalize()),
         "portions": int(portions or 0), "bookings": int(bookings)}
        for kind, item, portions, bookings in db.session.execute(stmt)
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
    rows = _parts(filters, lambda table: readers.period(table, filters), filters.span_start, filters.end)
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
