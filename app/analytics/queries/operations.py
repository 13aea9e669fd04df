"""Operations: slot utilisation (sold vs capacity) by station and weekday, chef load,
cancellations and no-shows with their reasons, deposit expiries.

Capacity comes from app.availability.services.capacities(), the rule the booking
pages enforce (chefs whose window covers the slot, minus approved time off, zero on a
blackout day), stored per day in the rollups (computed on the fly for days past them).
"Sold" counts the parties that held the slot: awaiting deposit, confirmed, completed, and
no-shows (the chef went). Bookings are read from the daily rollups (by event date and by
the day they were made).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import g
from sqlalchemy import func, select, text

from app.analytics import readers, sql
from app.analytics.filters import Filters
from app.analytics.rollups import capacity_by_day
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models import analytics as r
from app.models.chef import Chef
from app.models.station import Station

TITLE = "Operations"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _utilisation(filters: Filters) -> dict[tuple[int, int, str], list[int]]:
    """(station id, weekday, period) -> [sold, capacity] over both periods; once per request."""
    memo = g.setdefault("analytics_utilisation", {})
    if filters in memo:
        return memo[filters]
    first, last = filters.span_start, filters.end
    result: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0])

    def period(day: date) -> str:
        return sql.CURRENT if day >= filters.start else sql.PREVIOUS

    stored = r.capacity_days
    covered: dict[int, set] = defaultdict(set)
    for station_id, day, capacity in db.session.execute(
        select(stored.c.station_id, stored.c.day, stored.c.capacity).where(readers.days(stored, filters, first, last))
    ):
        covered[station_id].add(day)
        result[(station_id, day.weekday(), period(day))][1] += capacity
    for station in db.session.scalars(select(Station).where(Station.id.in_(filters.station_ids))):
        missing = [d for d in _days(first, last) if d not in covered[station.id]]
        if missing:  # days past the stored range: as the calendar computes them
            for day, capacity in capacity_by_day(station, missing[0], missing[-1]).items():
                if day not in covered[station.id]:
                    result[(station.id, day.weekday(), period(day))][1] += capacity
    events = r.event_days
    sold = (
        select(events.c.station_id, events.c.day, func.sum(events.c.sold))
        .where(readers.days(events, filters, first, last))
        .group_by(events.c.station_id, events.c.day)
    )
    for station_id, day, count in db.session.execute(sold):
        result[(station_id, day.weekday(), period(day))][0] += int(count or 0)
    memo[filters] = result
    return result


def utilisation(filters: Filters) -> Table:
    data = _utilisation(filters)
    rows = []
    for station in filters.stations:
        for day_of_week, name in enumerate(WEEKDAYS):
            sold, capacity = data.get((station.id, day_of_week, sql.CURRENT), (0, 0))
            rows.append(
                {"station": station.name, "weekday": name, "sold": sold, "capacity": capacity,
                 "utilisation": ratio(sold, capacity)}
            )  # fmt: skip
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "utilisation",
        "Slot utilisation by weekday",
        [
            *columns,
            Column("weekday", "Weekday", "text"),
            Column("sold", "Parties sold"),
            Column("capacity", "Capacity (chef-slots)"),
            Column("utilisation", "Utilisation", "pct"),
        ],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        note="Events dated in the period. Capacity as the calendar computes it: chefs whose weekly window "
        "covers the slot, minus approved time off; none on blackout days.",
        chart=ChartSpec("bar", "weekday", ("utilisation",), series="station" if filters.all_stations else None),
    )


def chef_load(filters: Filters) -> Table:
    chefs = r.chef_days
    events = func.sum(chefs.c.events)
    stmt = (
        select(
            chefs.c.station_id,
            Chef.name,
            events,
            *[func.sum(chefs.c[n]) for n in ("completed", "no_shows", "guests", "completed_cents")],
        )
        .select_from(chefs)
        .outerjoin(Chef, Chef.id == chefs.c.chef_id)
        .where(readers.days(chefs, filters))
        .group_by(chefs.c.station_id, chefs.c.chef_id, Chef.name)
        .order_by(events.desc(), Chef.name)
    )
    rows = [
        {"station": filters.station(station_id).name, "chef": name or "(no chef assigned yet)", "events": int(events),
         "completed": int(done or 0), "no_shows": int(no_shows or 0), "guests": int(guests or 0),
         "completed_cents": int(value or 0)}
        for station_id, name, events, done, no_shows, guests, value in db.session.execute(stmt)
    ]  # fmt: skip
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "chef_load",
        "Chef load",
        [
            *columns,
            Column("chef", "Chef", "text"),
            Column("events", "Events"),
            Column("completed", "Completed"),
            Column("no_shows", "No-shows"),
            Column("guests", "Guests served"),
            Column("completed_cents", "Value of completed parties", "money"),
        ],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        chart=ChartSpec("bar", "chef", ("events", "completed")),
    )


def _outcomes(filters: Filters, group_of, first: date, last: date):
    events = r.event_days
    stmt = (
        select(
            group_of(events).label("grp"),
            events.c.station_id,
            *[func.sum(events.c[n]) for n in ("planned", "cancelled", "no_shows", "completed")],
        )
        .where(readers.days(events, filters, first, last))
        .group_by(text("grp"), events.c.station_id)
        .having(func.sum(events.c.planned) > 0)  # a hold that expired never became a party
        .order_by(text("grp"), events.c.station_id)
    )
    rows = []
    for grp, station_id, planned, cancelled, no_shows, completed in db.session.execute(stmt):
        planned, cancelled, no_shows, completed = int(planned), int(cancelled), int(no_shows), int(completed)
        rows.append(
            {"bucket": grp, "station_id": station_id, "planned": planned, "cancelled": cancelled,
             "no_shows": no_shows, "completed": completed, "cancel_rate": ratio(cancelled, planned),
             "no_show_rate": ratio(no_shows, no_shows + completed)}
        )  # fmt: skip
    return rows


def cancellations(filters: Filters) -> Table:
    rows = _outcomes(filters, lambda table: readers.bucket(table, filters), filters.start, filters.end)
    for row in rows:
        row["station"] = filters.station(row.pop("station_id")).name
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "cancellations",
        "Cancellations and no-shows",
        [Column("bucket", "Event period", "bucket"), *columns, Column("planned", "Parties planned"),
         Column("cancelled", "Cancelled"), Column("no_shows", "No-shows"), Column("completed", "Completed"),
         Column("cancel_rate", "Cancelled / planned", "pct"), Column("no_show_rate", "No-shows / took place", "pct")],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        note="By the event's date; bookings whose deposit hold expired are not parties and are counted below.",
        chart=ChartSpec("line", "bucket", ("cancel_rate", "no_show_rate")) if not filters.all_stations
        else ChartSpec("line", "bucket", ("cancel_rate",), series="station"),
    )  # fmt: skip


def cancel_reasons(filters: Filters) -> Table:
    reasons = r.cancel_days
    cancelled = func.sum(reasons.c.cancelled)
    stmt = (
        select(reasons.c.reason_key, func.min(reasons.c.label), cancelled, func.sum(reasons.c.refund_eligible))
        .where(readers.days(reasons, filters))
        .group_by(reasons.c.reason_key)
        .order_by(cancelled.desc(), reasons.c.reason_key)
        .limit(20)
    )
    rows = [
        {"reason": label or "(no reason given)", "cancelled": int(count), "refund_eligible": int(eligible or 0)}
        for _key, label, count, eligible in db.session.execute(stmt)
    ]
    return Table(
        "cancel_reasons",
        "Why parties were cancelled",
        [
            Column("reason", "Reason", "text"),
            Column("cancelled", "Cancelled"),
            Column("refund_eligible", "Deposit refundable (7+ days ahead)"),
        ],
        rows,
        note="The 20 most frequent reasons, as staff typed them (case and spaces ignored).",
        chart=ChartSpec("bar", "reason", ("cancelled",)),
    )


def _expiries(filters: Filters, group_of, first: date, last: date):
    made = r.booking_days
    stmt = (
        select(
            group_of(made).label("grp"),
            made.c.station_id,
            *[func.sum(made.c[n]) for n in ("made", "expired", "expired_cents")],
        )
        .where(readers.days(made, filters, first, last), made.c.dim == "channel")
        .group_by(text("grp"), made.c.station_id)
        .order_by(text("grp"), made.c.station_id)
    )
    return [
        {"bucket": grp, "station_id": station_id, "made": int(made_count), "expired": int(expired_count or 0),
         "expiry_rate": ratio(int(expired_count or 0), int(made_count)), "expired_cents": int(value or 0)}
        for grp, station_id, made_count, expired_count, value in db.session.execute(stmt)
    ]  # fmt: skip


def deposit_expiries(filters: Filters) -> Table:
    rows = _expiries(filters, lambda table: readers.bucket(table, filters), filters.start, filters.end)
    for row in rows:
        row["station"] = filters.station(row.pop("station_id")).name
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "deposit_expiries",
        "Deposit holds that expired",
        [
            Column("bucket", "Booked in", "bucket"),
            *columns,
            Column("made", "Bookings made"),
            Column("expired", "Expired unpaid"),
            Column("expiry_rate", "Expired / made", "pct"),
            Column("expired_cents", "Value not taken", "money"),
        ],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        note="A booking whose deposit did not arrive within the deadline expires and frees its slot.",
        chart=ChartSpec("bar", "bucket", ("expired",), series="station" if filters.all_stations else None),
    )


def headlines(filters: Filters) -> list[Headline]:
    util = _utilisation(filters)
    sold_cap = {p: [0, 0] for p in (sql.CURRENT, sql.PREVIOUS)}
    for (_station, _weekday, which), (sold, capacity) in util.items():
        sold_cap[which][0] += sold
        sold_cap[which][1] += capacity
    outcomes = {p: [0, 0, 0, 0] for p in (sql.CURRENT, sql.PREVIOUS)}
    period = lambda table: readers.period(table, filters)  # noqa: E731
    for row in _outcomes(filters, period, filters.span_start, filters.end):
        for i, key in enumerate(("planned", "cancelled", "no_shows", "completed")):
            outcomes[row["bucket"]][i] += row[key]
    expiries = {p: [0, 0] for p in (sql.CURRENT, sql.PREVIOUS)}
    for row in _expiries(filters, period, filters.span_start, filters.end):
        expiries[row["bucket"]][0] += row["made"]
        expiries[row["bucket"]][1] += row["expired"]

    def figures(which: str) -> dict:
        planned, cancelled, no_shows, completed = outcomes[which]
        return {
            "utilisation": ratio(*sold_cap[which]),
            "cancel_rate": ratio(cancelled, planned),
            "no_show_rate": ratio(no_shows, no_shows + completed),
            "expiry_rate": ratio(expiries[which][1], expiries[which][0]),
        }

    now = figures(sql.CURRENT)
    before = figures(sql.PREVIOUS) if filters.compare else {}
    return [
        Headline("Slot utilisation", now["utilisation"], before.get("utilisation"), "pct"),
        Headline("Cancelled / planned", now["cancel_rate"], before.get("cancel_rate"), "pct", False),
        Headline("No-show rate", now["no_show_rate"], before.get("no_show_rate"), "pct", False),
        Headline("Deposit expiry rate", now["expiry_rate"], before.get("expiry_rate"), "pct", False),
    ]


def build(filters: Filters) -> Page:
    tables = [utilisation(filters), chef_load(filters), cancellations(filters), cancel_reasons(filters)]
    return Page("operations", TITLE, headlines(filters), [*tables, deposit_expiries(filters)])


TABLES = {
    "utilisation": utilisation,
    "chef_load": chef_load,
    "cancellations": cancellations,
    "cancel_reasons": cancel_reasons,
    "deposit_expiries": deposit_expiries,
}
