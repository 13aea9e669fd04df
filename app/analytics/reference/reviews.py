"""Reviews: average rating and count over time by station and chef; the share of completed
parties that left a review (every customer is asked: no rating-gated funnel to flatter it)."""

from __future__ import annotations

from sqlalchemy import case, func, select, text

from app.analytics import sql
from app.analytics.filters import Filters
from app.analytics.queries.reviews import TITLE  # the page's shape, shared; only the rows differ
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models.booking import Booking
from app.models.chef import Chef
from app.models.review import Review


def _in_period(filters: Filters, first=None, last=None):
    return sql.instant_in_range(
        Review.created_at, Review.station_id, filters, first or filters.start, last or filters.end
    )


def ratings(filters: Filters) -> Table:
    bucket = sql.bucket_of_instant(Review.created_at, Review.station_id, filters)
    stmt = (
        select(bucket.label("grp"), Review.station_id, func.count(), func.avg(Review.rating))
        .where(_in_period(filters))
        .group_by(text("grp"), Review.station_id)
        .order_by(text("grp"), Review.station_id)
    )
    rows = [
        {"bucket": grp, "station": filters.station(station_id).name, "reviews": count, "rating": float(avg)}
        for grp, station_id, count, avg in db.session.execute(stmt)
    ]
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
    stmt = (
        select(Review.station_id, Chef.name, func.count(), func.avg(Review.rating))
        .select_from(Review)
        .outerjoin(Chef, Chef.id == Review.chef_id)
        .where(_in_period(filters))
        .group_by(Review.station_id, Chef.id, Chef.name)
        .order_by(func.count().desc(), Chef.name)
    )
    rows = [
        {"station": filters.station(station_id).name, "chef": name or "(no chef recorded)", "reviews": count,
         "rating": float(avg)}
        for station_id, name, count, avg in db.session.execute(stmt)
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
    stmt = (
        select(Review.rating, func.count())
        .where(_in_period(filters))
        .group_by(Review.rating)
        .order_by(Review.rating.desc())
    )
    counts = dict(db.session.execute(stmt).all())
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


def _coverage(filters: Filters, group, first, last):
    stmt = (
        select(group.label("grp"), Booking.station_id, func.count(), func.count(Review.id))
        .select_from(Booking)
        .outerjoin(Review, Review.booking_id == Booking.id)
        .where(
            sql.in_stations(Booking.station_id, filters),
            Booking.event_date.between(first, last),
            Booking.status == "completed",
        )
        .group_by(text("grp"), Booking.station_id)
        .order_by(text("grp"), Booking.station_id)
    )
    return [
        {"bucket": grp, "station_id": station_id, "completed": completed, "reviewed": reviewed,
         "share": ratio(reviewed, completed)}
        for grp, station_id, completed, reviewed in db.session.execute(stmt)
    ]  # fmt: skip


def coverage(filters: Filters) -> Table:
    rows = _coverage(filters, sql.bucket_of_date(Booking.event_date, filters), filters.start, filters.end)
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
    period = sql.period_of_instant(Review.created_at, Review.station_id, filters).label("grp")
    stmt = (
        select(period, func.count(), func.avg(Review.rating), func.sum(case((Review.rating <= 2, 1), else_=0)))
        .where(_in_period(filters, filters.span_start, filters.end))
        .group_by(text("grp"))
    )
    found = {grp: (count, float(avg), int(low or 0)) for grp, count, avg, low in db.session.execute(stmt)}
    shares = {sql.CURRENT: [0, 0], sql.PREVIOUS: [0, 0]}
    for row in _coverage(filters, sql.period_of_date(Booking.event_date, filters), filters.span_start, filters.end):
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
