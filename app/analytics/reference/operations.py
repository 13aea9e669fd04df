"""Operations: slot utilisation (sold vs capacity) by station and weekday, chef load,
cancellations and no-shows with their reasons, deposit expiries.

Capacity comes from app.availability.services.capacities(), the rule the booking
pages enforce (chefs whose window covers the slot, minus approved time off, zero on a
blackout day): three queries per station, whatever the number of bookings. "Sold"
counts the parties that held the slot: awaiting deposit, confirmed, completed, and
no-shows (the chef went).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import g
from sqlalchemy import case, func, select, text

from app.analytics import sql
from app.analytics.filters import Filters
from app.analytics.queries.operations import TITLE, WEEKDAYS  # the page's shape, shared; only the rows differ
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.availability.services import capacities
from app.extensions import db
from app.models.booking import Booking
from app.models.chef import Chef
from app.models.station import Station

SOLD = ("pending_deposit", "confirmed", "completed", "no_show")


def _utilisation(filters: Filters) -> dict[tuple[int, int, str], list[int]]:
    """(station id, weekday, period) -> [sold, capacity] over both periods; once per request."""
    memo = g.setdefault("analytics_utilisation", {})
    if filters in memo:
        return memo[filters]
    first, last = filters.span_start, filters.end
    result: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0])

    def period(day: date) -> str:
        return sql.CURRENT if day >= filters.start else sql.PREVIOUS

    for station in db.session.scalars(select(Station).where(Station.id.in_(filters.station_ids))):
        for (day, _slot), capacity in capacities(station, first, last).items():
            result[(station.id, day.weekday(), period(day))][1] += capacity
    weekday = sql.weekday_of_date(Booking.event_date)
    sold = (
        select(
            Booking.station_id,
            weekday.label("weekday"),
            sql.period_of_date(Booking.event_date, filters).label("period"),
            func.count(),
        )
        .where(
            sql.in_stations(Booking.station_id, filters),
            Booking.event_date.between(first, last),
            Booking.status.in_(SOLD),
        )
        .group_by(text("station_id"), text("weekday"), text("period"))
    )
    for station_id, day_of_week, which, count in db.session.execute(sold):
        result[(station_id, int(day_of_week), which)][0] += count
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
    completed = Booking.status == "completed"
    stmt = (
        select(
            Booking.station_id,
            Chef.name,
            func.count(),
            func.sum(case((completed, 1), else_=0)),
            func.sum(case((Booking.status == "no_show", 1), else_=0)),
            func.sum(case((completed, Booking.adults + Booking.children + Booking.toddlers), else_=0)),
            func.sum(case((completed, Booking.total_cents), else_=0)),
        )
        .select_from(Booking)
        .outerjoin(Chef, Chef.id == Booking.chef_id)
        .where(
            sql.in_stations(Booking.station_id, filters),
            Booking.event_date.between(filters.start, filters.end),
            Booking.status.in_(SOLD),
        )
        .group_by(Booking.station_id, Chef.id, Chef.name)
        .order_by(func.count().desc(), Chef.name)
    )
    rows = [
        {"station": filters.station(station_id).name, "chef": name or "(no chef assigned yet)", "events": events,
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


def _outcomes(filters: Filters, group, first: date, last: date):
    stmt = (
        select(
            group.label("grp"),
            Booking.station_id,
            func.count(),
            func.sum(case((Booking.status == "cancelled", 1), else_=0)),
            func.sum(case((Booking.status == "no_show", 1), else_=0)),
            func.sum(case((Booking.status == "completed", 1), else_=0)),
        )
        .where(
            sql.in_stations(Booking.station_id, filters),
            Booking.event_date.between(first, last),
            Booking.status != "expired",  # a hold that expired never became a party
        )
        .group_by(text("grp"), text("station_id"))
        .order_by(text("grp"), text("station_id"))
    )
    rows = []
    for grp, station_id, planned, cancelled, no_shows, completed in db.session.execute(stmt):
        cancelled, no_shows, completed = int(cancelled or 0), int(no_shows or 0), int(completed or 0)
        rows.append(
            {"bucket": grp, "station_id": station_id, "planned": planned, "cancelled": cancelled,
             "no_shows": no_shows, "completed": completed, "cancel_rate": ratio(cancelled, planned),
             "no_show_rate": ratio(no_shows, no_shows + completed)}
        )  # fmt: skip
    return rows


def cancellations(filters: Filters) -> Table:
    rows = _outcomes(filters, sql.bucket_of_date(Booking.event_date, filters), filters.start, filters.end)
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
    reason = func.lower(func.trim(Booking.cancel_reason))
    stmt = (
        select(
            reason.label("reason_key"),
            func.min(func.trim(Booking.cancel_reason)),
            func.count(),
            func.sum(case((Booking.refund_eligible.is_(True), 1), else_=0)),
        )
        .where(
            sql.in_stations(Booking.station_id, filters),
            Booking.event_date.between(filters.start, filters.end),
            Booking.status == "cancelled",
        )
        .group_by(text("reason_key"))
        .order_by(func.count().desc(), text("reason_key"))
        .limit(20)
    )
    rows = [
        {"reason": label or "(no reason given)", "cancelled": count, "refund_eligible": int(eligible or 0)}
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


def _expiries(filters: Filters, group, first: date, last: date):
    expired = Booking.status == "expired"
    stmt = (
        select(
            group.label("grp"),
            Booking.station_id,
            func.count(),
            func.sum(case((expired, 1), else_=0)),
            func.sum(case((expired, Booking.total_cents), else_=0)),
        )
        .where(sql.instant_in_range(Booking.created_at, Booking.station_id, filters, first, last))
        .group_by(text("grp"), text("station_id"))
        .order_by(text("grp"), text("station_id"))
    )
    return [
        {"bucket": grp, "station_id": station_id, "made": made, "expired": int(expired_count or 0),
         "expiry_rate": ratio(int(expired_count or 0), made), "expired_cents": int(value or 0)}
        for grp, station_id, made, expired_count, value in db.session.execute(stmt)
    ]  # fmt: skip


def deposit_expiries(filters: Filters) -> Table:
    group = sql.bucket_of_instant(Booking.created_at, Booking.station_id, filters)
    rows = _expiries(filters, group, filters.start, filters.end)
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
    for row in _outcomes(filters, sql.period_of_date(Booking.event_date, filters), filters.span_start, filters.end):
        for i, key in enumerate(("planned", "cancelled", "no_shows", "completed")):
            outcomes[row["bucket"]][i] += row[key]
    expiries = {p: [0, 0] for p in (sql.CURRENT, sql.PREVIOUS)}
    period = sql.period_of_instant(Booking.created_at, Booking.station_id, filters)
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
