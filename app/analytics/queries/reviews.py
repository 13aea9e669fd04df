"""Reviews: average rating and count over time by station and chef; the share of completed
parties that left a review (every customer is asked: no rating-gated funnel to flatter it).
Read from the daily rollups (reviews by the day they were written, parties by their date)."""

from __future__ import annotations

from sqlalchemy import case, func, select, text

from app.analytics import readers, sql
from app.analytics.filters import Filters
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models import analytics as r
from app.models.chef import Chef

TITLE = "Reviews"


def ratings(filters: Filters) -> Table:
    given = r.review_days
    stmt = (
        select(
            readers.bucket(given, filters).label("grp"),
            given.c.station_id,
            func.sum(given.c.n),
            func.sum(given.c.n * given.c.rating),
        )
        .where(readers.days(given, filters))
        .group_by(text("grp"), given.c.station_id)
        .order_by(text("grp"), given.c.station_id)
    )
    rows = [
        {"bucket": grp, "station": filters.station(station_id).name, "reviews": int(count),
         "rating": int(total) / int(count)}
        for grp, station_id, count, total in db.session.execute(stmt)
    ]  # fmt: skip
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "ratings",
        "Average rating over time",
        [
            Column("bucket", "Period", "bucket"),
            *columns,
            Column("reviews", "Reviews"),
            Column("rating", "Average rating (1-5)", "decimal"),
        ],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        note="By the day the review was written; hidden reviews count too (they are feedback all the same).",
        chart=ChartSpec("line", "bucket", ("rating",), series="station" if filters.all_stations else None),
    )


def by_chef(filters: Filters) -> Table:
    chefs = r.review_chef_days
    count = func.sum(chefs.c.n)
    stmt = (
        select(chefs.c.station_id, Chef.name, count, func.sum(chefs.c.rating_sum))
        .select_from(chefs)
        .outerjoin(Chef, Chef.id == chefs.c.chef_id)
        .where(readers.days(chefs, filters))
        .group_by(chefs.c.station_id, chefs.c.chef_id, Chef.name)
        .order_by(count.desc(), Chef.name)
    )
    rows = [
        {"station": filters.station(station_id).name, "chef": name or "(no chef recorded)", "reviews": int(n),
         "rating": int(total) / int(n)}
        for station_id, name, n, total in db.session.execute(stmt)
    ]  # fmt: skip
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "by_chef",
        "Ratings by chef",
        [
            *columns,
            Column("chef", "Chef", "text"),
            Column("reviews", "Reviews"),
            Column("rating", "Average rating (1-5)", "decimal"),
        ],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        chart=ChartSpec("bar", "chef", ("rating",)),
    )


def distribution(filters: Filters) -> Table:
    given = r.review_days
    stmt = select(given.c.rating, func.sum(given.c.n)).where(readers.days(given, filters)).group_by(given.c.rating)
    counts = {rating: int(n) for rating, n in db.session.execute(stmt)}
    total = sum(counts.values())
    rows = [
        {"stars": f"{stars} ★", "reviews": counts.get(stars, 0), "share": ratio(counts.get(stars, 0), total)}
        for stars in range(5, 0, -1)
    ]
    return Table(
        "distribution",
        "Ratings given",
        [Column("stars", "Rating", "text"), Column("reviews", "Reviews"), Column("share", "Share", "pct")],
        rows,
        chart=ChartSpec("bar", "stars", ("reviews",)),
    )


def _coverage(filters: Filters, group_of, first, last):
    events = r.event_days
    stmt = (
        select(group_of(events).label("grp"), events.c.station_id, func.sum(events.c.coverage_rows),
               func.sum(events.c.reviewed))
        .where(readers.days(events, filters, first, last))
        .group_by(text("grp"), events.c.station_id)
        .having(func.sum(events.c.coverage_rows) > 0)
        .order_by(text("grp"), events.c.station_id)
    )  # fmt: skip
    return [
        {"bucket": grp, "station_id": station_id, "completed": int(completed), "reviewed": int(reviewed),
         "share": ratio(int(reviewed), int(completed))}
        for grp, station_id, completed, reviewed in db.session.execute(stmt)
    ]  # fmt: skip


def coverage(filters: Filters) -> Table:
    rows = _coverage(filters, lambda table: readers.bucket(table, filters), filters.start, filters.end)
    for row in rows:
        row["station"] = filters.station(row.pop("station_id")).name
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "coverage",
        "Completed parties that left a review",
        [
            Column("bucket", "Event period", "bucket"),
            *columns,
            Column("completed", "Completed parties"),
            Column("reviewed", "Reviewed"),
            Column("share", "Reviewed / completed", "pct"),
        ],
        [row if filters.all_stations else {k: v for k, v in row.items() if k != "station"} for row in rows],
        note="By the party's date: a review written later still counts for its party.",
        chart=ChartSpec("bar", "bucket", ("share",), series="station" if filters.all_stations else None),
    )


def headlines(filters: Filters) -> list[Headline]:
    given = r.review_days
    stmt = (
        select(
            readers.period(given, filters).label("grp"),
            func.sum(given.c.n),
            func.sum(given.c.n * given.c.rating),
            func.sum(case((given.c.rating <= 2, given.c.n), else_=0)),
        )
        .where(readers.span(given, filters))
        .group_by(text("grp"))
    )
    found = {grp: (int(n), int(total) / int(n), int(low or 0)) for grp, n, total, low in db.session.execute(stmt)}
    shares = {sql.CURRENT: [0, 0], sql.PREVIOUS: [0, 0]}
    for row in _coverage(filters, lambda table: readers.period(table, filters), filters.span_start, filters.end):
        shares[row["bucket"]][0] += row["completed"]
        shares[row["bucket"]][1] += row["reviewed"]

    def pick(which: str) -> dict:
        count, avg, low = found.get(which, (0, None, 0))
        return {"count": count, "avg": avg, "low": low, "share": ratio(shares[which][1], shares[which][0])}

    now = pick(sql.CURRENT)
    before = pick(sql.PREVIOUS) if filters.compare else {}
    return [
        Headline("Average rating", now["avg"], before.get("avg"), "decimal"),
        Headline("Reviews", now["count"], before.get("count")),
        Headline("1-2 star reviews", now["low"], before.get("low"), "int", False),
        Headline("Completed parties reviewed", now["share"], before.get("share"), "pct"),
    ]


def build(filters: Filters) -> Page:
    tables = [ratings(filters), by_chef(filters), distribution(filters), coverage(filters)]
    return Page("reviews", TITLE, headlines(filters), tables)


TABLES = {"ratings": ratings, "by_chef": by_chef, "distribution": distribution, "coverage": coverage}
