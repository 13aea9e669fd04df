"""Funnel: leads -> quoted -> booked -> completed by source, conversion rates, time to book.

A lead counts in the period it arrived (station-local day). "Quoted": a quote was
recorded or the lead moved to quoted or won; "booked": a booking was made from it;
"completed": that party took place. Merged duplicates are counted once (in the lead
that absorbed them). Bookings made without a lead (the public site) have their own
table, by the same source dimension. Read from the daily rollups; the median days to
book comes from duration histograms (app.analytics.histogram states the error).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select, text

from app.analytics import histogram, readers, sql
from app.analytics.filters import SOURCE_DIMENSIONS, Filters
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models import analytics as r
from app.models.qr import QrCode

TITLE = "Funnel"
DAY = 86400.0
NO_QR = "(no QR code)"


def _labels(filters: Filters, values) -> dict[str, str]:
    """Group label of each stored value: QR codes by their current name, as the raw query joins them."""
    if filters.source_by != "qr":
        return {v: v for v in values}
    ids = [int(v) for v in values if v]
    names = dict(db.session.execute(select(QrCode.id, QrCode.name).where(QrCode.id.in_(ids))).all()) if ids else {}
    return {v: (names.get(int(v)) or NO_QR) if v else NO_QR for v in values}


def _counts(filters: Filters, group_of, ranges, dim: str, *, monthly: bool, by_value: bool = False):
    """{group: (leads, quoted, booked, completed)} and {group: median seconds from lead to booking}."""
    leads, waits = r.lead_days, r.lead_waits
    first, last = min(a for a, _ in ranges), max(b for _, b in ranges)
    grp = group_of(leads).label("grp")
    stmt = (
        select(grp, *[func.sum(leads.c[n]) for n in ("leads", "quoted", "booked", "completed")])
        .where(readers.days(leads, filters, first, last), leads.c.dim == dim)
        .group_by(text("grp"))
    )
    found = [(g, [int(v or 0) for v in values]) for g, *values in db.session.execute(stmt)]
    wait_rows = db.session.execute(
        readers.histogram(
            waits,
            r.lead_wait_months,
            filters,
            group_of,
            ranges,
            ["bin"],
            monthly=monthly,
            where=lambda table: table.c.dim == dim,
        )
    ).all()
    labels = _labels(filters, {g for g, _ in found} | {g for g, *_ in wait_rows}) if by_value else {}

    def label(group: str) -> str:
        return labels.get(group, group)

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for g, values in found:
        totals = counts[label(g)]
        for i, v in enumerate(values):
            totals[i] += v
    hists = histogram.merge((label(g), b, n) for g, _station, b, n in wait_rows)
    medians = {g: histogram.percentiles(bins, [0.5])[0] for g, bins in hists.items()}
    return {g: tuple(v) for g, v in counts.items()}, medians


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
    counts, medians = _counts(
        filters, lambda t: t.c.value, [(filters.start, filters.end)], filters.source_by, monthly=True, by_value=True
    )
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
    made = r.booking_days
    names = ("made", "from_leads", "confirmed", "completed", "booked_cents")
    stmt = (
        select(made.c.value, *[func.sum(made.c[n]) for n in names])
        .where(readers.days(made, filters), made.c.dim == filters.source_by)
        .group_by(made.c.value)
    )
    found = db.session.execute(stmt).all()
    labels = _labels(filters, {value for value, *_ in found})
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * len(names))
    for value, *values in found:
        totals = sums[labels[value]]
        for i, v in enumerate(values):
            totals[i] += int(v or 0)
    rows = [
        {"source": grp, "bookings": n, "from_leads": leads, "confirmed": confirmed, "completed": completed,
         "confirm_rate": ratio(confirmed, n), "booked_cents": value}
        for grp, (n, leads, confirmed, completed, value) in sorted(sums.items(), key=lambda kv: -kv[1][0])
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
    period = lambda table: readers.period(table, filters)  # noqa: E731
    counts, medians = _counts(filters, period, readers.periods(filters), "channel", monthly=True)
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
