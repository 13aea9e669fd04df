"""Funnel: leads -> quoted -> booked -> completed by source, conversion rates, time to book.

A lead counts in the period it arrived (station-local day). "Quoted": a quote was
recorded or the lead moved to quoted or won; "booked": a booking was made from it;
"completed": that party took place. Merged duplicates are counted once (in the lead
that absorbed them). Bookings made without a lead (the public site) have their own
table, by the same source dimension.
"""

from __future__ import annotations

from sqlalchemy import Text, and_, case, cast, func, literal_column, or_, select, text
from sqlalchemy.orm import aliased

from app.analytics import sql
from app.analytics.filters import SOURCE_DIMENSIONS, Filters
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models.booking import Booking
from app.models.lead import Lead
from app.models.qr import QrCode

TITLE = "Funnel"
DAY = 86400.0
LeadBooking = aliased(Booking, name="lead_booking")
QUOTED = or_(
    Lead.stage.in_(("quoted", "won")),
    Lead.booking_id.is_not(None),
    # Unset JSON is SQL NULL, but a quote cleared from Python is stored as JSON null.
    and_(Lead.quote.is_not(None), cast(Lead.quote, Text) != "null"),
)


def _source(filters: Filters, model) -> tuple:
    """(label expression, outer join target or None) of the chosen source dimension."""
    if filters.source_by == "qr":
        return func.coalesce(QrCode.name, "(no QR code)"), QrCode
    if filters.source_by == "utm":
        touch = model.first_touch if model is Lead else model.attribution
        return func.coalesce(func.nullif(touch["utm_source"].as_string(), ""), "(none)"), None
    return model.source, None


def _counts(filters: Filters, group, first, last, join_qr=None):
    """{group: (leads, quoted, booked, completed)} and {group: median seconds from lead to booking}."""
    completed = LeadBooking.status == "completed"
    source = Lead.__table__.outerjoin(LeadBooking, LeadBooking.id == Lead.booking_id)
    if join_qr is not None:
        source = source.outerjoin(QrCode, QrCode.id == Lead.qr_code_id)
    aggregates = [
        func.count(),
        func.sum(case((QUOTED, 1), else_=0)),
        func.sum(case((Lead.booking_id.is_not(None), 1), else_=0)),
        func.sum(case((completed, 1), else_=0)),
    ]
    in_period = and_(
        sql.instant_in_range(Lead.created_at, Lead.station_id, filters, first, last), Lead.merged_into_id.is_(None)
    )
    # NULL for leads without a booking: percentile_cont skips them.
    wait = sql.seconds_between(Lead.created_at, LeadBooking.created_at)
    found = sql.aggregate_with_percentiles(source, [group.label("grp")], aggregates, wait, [0.5], where=in_period)
    counts = {grp: (n, int(q or 0), int(b or 0), int(c or 0)) for grp, n, q, b, c, _ in found}
    medians = {grp: median for grp, *_, median in found}
    return counts, medians


def _row(source: str, counts: tuple, median_seconds: float | None) -> dict:
    leads, quoted, booked, completed = counts
    return {
        "source": source,
        "leads": leads,
        "quoted": quoted,
        "booked": booked,
        "completed": completed,
        "quote_rate": ratio(quoted, leads),
        "book_rate": ratio(booked, leads),
        "complete_rate": ratio(completed, booked),
        "days_to_book": median_seconds / DAY if median_seconds is not None else None,
    }


def by_source(filters: Filters) -> Table:
    group, join_qr = _source(filters, Lead)
    counts, medians = _counts(filters, group, filters.start, filters.end, join_qr)
    rows = [_row(source, counts[source], medians.get(source)) for source in sorted(counts, key=lambda s: -counts[s][0])]
    label = SOURCE_DIMENSIONS[filters.source_by]
    return Table(
        "by_source",
        f"Leads to completed parties, by {label.lower()}",
        [
            Column("source", label, "text"),
            Column("leads", "Leads"),
            Column("quoted", "Quoted"),
            Column("booked", "Booked"),
            Column("completed", "Completed"),
            Column("quote_rate", "Quoted / leads", "pct"),
            Column("book_rate", "Booked / leads", "pct"),
            Column("complete_rate", "Completed / booked", "pct"),
            Column("days_to_book", "Median days to book", "decimal"),
        ],
        rows,
        note="Leads by the day they arrived; the stages they have reached since.",
        chart=ChartSpec("bar", "source", ("leads", "quoted", "booked", "completed")),
    )


def bookings_by_source(filters: Filters) -> Table:
    group, join_qr = _source(filters, Booking)
    stmt = (
        select(
            group.label("grp"),
            func.count(),
            func.sum(case((Booking.lead_id.is_not(None), 1), else_=0)),
            func.sum(case((Booking.confirmed_at.is_not(None), 1), else_=0)),
            func.sum(case((Booking.status == "completed", 1), else_=0)),
            func.sum(case((Booking.confirmed_at.is_not(None), Booking.total_cents), else_=0)),
        )
        .where(sql.instant_in_range(Booking.created_at, Booking.station_id, filters, filters.start, filters.end))
        .group_by(text("grp"))
        .order_by(literal_column("2").desc())
    )
    if join_qr is not None:
        stmt = stmt.outerjoin(QrCode, QrCode.id == Booking.qr_code_id)
    rows = [
        {"source": grp, "bookings": n, "from_leads": int(leads or 0), "confirmed": int(confirmed or 0),
         "completed": int(completed or 0), "confirm_rate": ratio(confirmed or 0, n), "booked_cents": int(value or 0)}
        for grp, n, leads, confirmed, completed, value in db.session.execute(stmt)
    ]  # fmt: skip
    label = SOURCE_DIMENSIONS[filters.source_by]
    return Table(
        "bookings_by_source",
        f"Bookings made, by {label.lower()}",
        [
            Column("source", label, "text"),
            Column("bookings", "Bookings made"),
            Column("from_leads", "From a lead"),
            Column("confirmed", "Deposit paid"),
            Column("completed", "Completed"),
            Column("confirm_rate", "Deposit paid / made", "pct"),
            Column("booked_cents", "Booked value", "money"),
        ],
        rows,
        note="Every booking, with or without a lead: the public site's bookings carry their UTM and QR source.",
        chart=ChartSpec("bar", "source", ("bookings", "confirmed")),
    )


def headlines(filters: Filters) -> list[Headline]:
    period = sql.period_of_instant(Lead.created_at, Lead.station_id, filters)
    counts, medians = _counts(filters, period, filters.span_start, filters.end)
    now = _row("", counts.get(sql.CURRENT, (0, 0, 0, 0)), medians.get(sql.CURRENT))
    before = _row("", counts.get(sql.PREVIOUS, (0, 0, 0, 0)), medians.get(sql.PREVIOUS)) if filters.compare else {}
    return [
        Headline("Leads", now["leads"], before.get("leads")),
        Headline("Quoted / leads", now["quote_rate"], before.get("quote_rate"), "pct"),
        Headline("Booked / leads", now["book_rate"], before.get("book_rate"), "pct"),
        Headline("Median days to book", now["days_to_book"], before.get("days_to_book"), "decimal", False),
    ]


def build(filters: Filters) -> Page:
    return Page("funnel", TITLE, headlines(filters), [by_source(filters), bookings_by_source(filters)])


TABLES = {"by_source": by_source, "bookings_by_source": bookings_by_source}
