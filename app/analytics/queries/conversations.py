"""Conversations: first-response time against the SLA, volume by channel and intent,
escalations, AI draft acceptance and edit distance over time by intent.

First response is measured per customer turn, as the inbox's SLA timer runs: a turn
starts with an inbound message that opens the thread or follows one of our replies; it
is answered by our next outbound message, whenever that came. Read from the daily
rollups: turns per start day as a histogram of the time to the answer (app.analytics.histogram
states the bins, what the percentiles may be off by, and when the SLA share is exact).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, literal, select, text

from app.analytics import histogram, readers, sql
from app.analytics.filters import Filters
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models import analytics as r
from app.models.conversation import CHANNEL_LABELS

TITLE = "Conversations"
MINUTE = 60.0


def _minutes(seconds: float | None) -> float | None:
    return seconds / MINUTE if seconds is not None else None


def _response(filters: Filters, group_of, ranges, *, monthly: bool, by_station: bool = True) -> list[dict]:
    """Turns, answered, within SLA and p50/p90 minutes per group (and station, unless pooled)."""
    stmt = readers.histogram(
        r.response_minutes,
        r.response_months,
        filters,
        group_of,
        ranges,
        ["bin"],
        monthly=monthly,
    )
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])  # turns, answered, within the SLA
    bins: dict[tuple, dict[int, int]] = defaultdict(dict)
    for grp, station_id, b, n in db.session.execute(stmt):
        key = (grp, station_id) if by_station else (grp,)
        n = int(n)
        figures = counts[key]
        figures[0] += n
        if b is not None:
            figures[1] += n
            figures[2] += n if histogram.upper_minutes(b) <= filters.station(station_id).sla_minutes else 0
            bins[key][b] = bins[key].get(b, 0) + n
    rows = []
    for key in sorted(counts):
        count, answered, within = counts[key]
        p50, p90 = histogram.percentiles(bins.get(key, {}), [0.5, 0.9])
        row = {
            "bucket": key[0],
            "turns": count,
            "answered": answered,
            "within_sla": ratio(within, count),
            "p50": _minutes(p50),
            "p90": _minutes(p90),
        }
        if by_station:
            station = filters.station(key[1])
            row.update(station=station.name, station_id=station.id, sla=station.sla_minutes)
        rows.append(row)
    return rows


def response_times(filters: Filters) -> Table:
    rows = _response(
        filters,
        lambda table: readers.bucket(table, filters),
        [(filters.start, filters.end)],
        monthly=filters.grain == "month",
    )
    columns = [Column("station", "Station", "text")] if filters.all_stations else []
    return Table(
        "response_times",
        "First response time",
        [
            Column("bucket", "Period", "bucket"),
            *columns,
            Column("turns", "Customer turns"),
            Column("answered", "Answered"),
            Column("p50", "Median (p50)", "minutes"),
            Column("p90", "p90", "minutes"),
            Column("sla", "SLA (minutes)"),
            Column("within_sla", "Answered within SLA", "pct"),
        ],
        [
            {k: v for k, v in row.items() if k != "station_id" and (filters.all_stations or k != "station")}
            for row in rows
        ],
        note="A turn: the customer's message(s) until our reply. Percentiles of answered turns; within SLA "
        "out of all turns (an unanswered one is not within).",
        chart=ChartSpec("line", "bucket", ("p50", "p90"), series=None)
        if not filters.all_stations
        else ChartSpec("line", "bucket", ("p50",), series="station"),
    )


def _messages(filters: Filters, group_of, ranges, keys: list[str], *, monthly: bool) -> dict[tuple, list[int]]:
    """{(grp, *keys): [messages, escalated]} of customer messages, all the filters' stations summed."""
    stmt = readers.histogram(r.message_days, r.message_months, filters, group_of, ranges, keys, monthly=monthly,
                             measures=("messages", "escalated"))  # fmt: skip
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for grp, _station_id, *rest in db.session.execute(stmt):
        *key, count, escalated = rest
        totals = sums[(grp, *key)]
        totals[0] += int(count)
        totals[1] += int(escalated or 0)
    return sums


def volume(filters: Filters) -> Table:
    found = _messages(filters, lambda table: readers.bucket(table, filters), [(filters.start, filters.end)],
                      ["channel"], monthly=filters.grain == "month")  # fmt: skip
    rows = [
        {"bucket": grp, "channel": CHANNEL_LABELS.get(channel, channel), "messages": count}
        for (grp, channel), (count, _escalated) in sorted(found.items())
    ]
    return Table(
        "volume",
        "Customer messages by channel",
        [Column("bucket", "Period", "bucket"), Column("channel", "Channel", "text"), Column("messages", "Messages in")],
        rows,
        chart=ChartSpec("bar", "bucket", ("messages",), series="channel"),
    )


def intents(filters: Filters) -> Table:
    found = _messages(filters, lambda table: literal(""), [(filters.start, filters.end)], ["intent"], monthly=True)
    rows = [
        {"intent": intent.replace("_", " "), "messages": count, "escalated": esc,
         "escalation_rate": ratio(esc, count)}
        for (_grp, intent), (count, esc) in sorted(found.items(), key=lambda kv: -kv[1][0])
    ]  # fmt: skip
    return Table(
        "intents",
        "Messages and escalations by intent",
        [
            Column("intent", "Intent", "text"),
            Column("messages", "Messages in"),
            Column("escalated", "Escalated"),
            Column("escalation_rate", "Escalated / messages", "pct"),
        ],
        rows,
        note="Escalated: angry, or mentions illness, injury, allergy reactions, legal threats or chargebacks.",
        chart=ChartSpec("bar", "intent", ("messages", "escalated")),
    )


def drafts(filters: Filters) -> Table:
    decided = r.draft_days
    names = ("decided", "sent", "unchanged", "distance_sum", "distance_n")
    stmt = (
        select(
            readers.bucket(decided, filters).label("grp"), decided.c.intent, *[func.sum(decided.c[n]) for n in names]
        )
        .where(readers.days(decided, filters))
        .group_by(text("grp"), decided.c.intent)
        .order_by(text("grp"), decided.c.intent)
    )
    rows = []
    for grp, intent, count, sent_count, unchanged, distance_sum, distance_n in db.session.execute(stmt):
        sent_count, unchanged = int(sent_count or 0), int(unchanged or 0)
        rows.append(
            {"bucket": grp, "intent": intent.replace("_", " "), "decided": int(count), "sent": sent_count,
             "unchanged": unchanged, "rejected": int(count) - sent_count, "acceptance": ratio(unchanged, sent_count),
             "edit_distance": int(distance_sum) / int(distance_n) if distance_n else None}
        )  # fmt: skip
    return Table(
        "drafts",
        "AI drafts: acceptance and edits by intent",
        [
            Column("bucket", "Period", "bucket"),
            Column("intent", "Intent", "text"),
            Column("decided", "Decided"),
            Column("sent", "Sent"),
            Column("unchanged", "Sent unchanged"),
            Column("rejected", "Rejected"),
            Column("acceptance", "Acceptance (unchanged / sent)", "pct"),
            Column("edit_distance", "Mean edit distance (characters)", "decimal"),
        ],
        rows,
        note="By the day a manager approved or rejected the draft; acceptance as the inbox's learning page counts it.",
        chart=ChartSpec("line", "bucket", ("acceptance",), series="intent"),
    )


def headlines(filters: Filters) -> list[Headline]:
    by_period = _pooled(filters)
    decided = r.draft_days
    found = _messages(filters, lambda table: readers.period(table, filters), readers.periods(filters), [],
                      monthly=True)  # fmt: skip
    messages_by = {grp: (count, escalated) for (grp,), (count, escalated) in found.items()}
    draft_rows = db.session.execute(
        select(readers.period(decided, filters).label("grp"), func.sum(decided.c.sent), func.sum(decided.c.unchanged))
        .where(readers.span(decided, filters))
        .group_by(text("grp"))
    ).all()
    acceptance = {grp: ratio(int(unchanged or 0), int(count or 0)) for grp, count, unchanged in draft_rows}

    def pick(which: str) -> dict:
        row = by_period.get(which, {})
        count, escalated = messages_by.get(which, (0, 0))
        return {"p50": row.get("p50"), "p90": row.get("p90"), "within": row.get("within_sla"),
                "messages": count, "escalated": escalated, "acceptance": acceptance.get(which)}  # fmt: skip

    now = pick(sql.CURRENT)
    before = pick(sql.PREVIOUS) if filters.compare else {}
    return [
        Headline("First response p50", now["p50"], before.get("p50"), "minutes", False),
        Headline("First response p90", now["p90"], before.get("p90"), "minutes", False),
        Headline("Answered within SLA", now["within"], before.get("within"), "pct"),
        Headline("Messages in", now["messages"], before.get("messages")),
        Headline("Escalations", now["escalated"], before.get("escalated"), "int", False),
        Headline("AI drafts sent unchanged", now["acceptance"], before.get("acceptance"), "pct"),
    ]


def _pooled(filters: Filters) -> dict[str, dict]:
    """Response figures per period, all the stations' turns together (percentiles do not add up)."""
    rows = _response(
        filters, lambda table: readers.period(table, filters), readers.periods(filters), monthly=True, by_station=False
    )
    return {row["bucket"]: row for row in rows}


def build(filters: Filters) -> Page:
    tables = [response_times(filters), volume(filters), intents(filters), drafts(filters)]
    return Page("conversations", TITLE, headlines(filters), tables)


TABLES = {"response_times": response_times, "volume": volume, "intents": intents, "drafts": drafts}
