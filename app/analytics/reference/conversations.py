"""Conversations: first-response time against the SLA, volume by channel and intent,
escalations, AI draft acceptance and edit distance over time by intent.

First response is measured per customer turn, as the inbox's SLA timer runs: a turn
starts with an inbound message that opens the thread or follows one of our replies; it
is answered by our next outbound message, whenever that came (a turn still unanswered
counts as not answered). A turn belongs to the day it started, whatever the period asked
for, so that days add up (the rollups keep them per day). One pass of window functions over
the whole threads that have a message in the period finds both.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select, text

from app.analytics import sql
from app.analytics.filters import Filters
from app.analytics.queries.conversations import (  # the page's shape, shared; only the rows differ
    MINUTE,
    TITLE,
    _minutes,
)
from app.analytics.tables import ChartSpec, Column, Headline, Page, Table, ratio
from app.extensions import db
from app.models.conversation import CHANNEL_LABELS, Draft, Message


def _turns(filters: Filters, first, last):
    """Subquery of customer turns starting in [first, last]: station, channel, start, seconds to answer."""
    thread = {"partition_by": Message.conversation_id, "order_by": (Message.created_at.desc(), Message.id.desc())}
    threads = select(Message.conversation_id).where(
        sql.instant_in_range(Message.created_at, Message.station_id, filters, first, last)
    )
    messages = (
        select(
            Message.station_id,
            Message.channel,
            Message.direction,
            Message.created_at,
            # Newest first: lead() is the message before, the running min the first reply after.
            func.lead(Message.direction).over(**thread).label("before"),
            func.min(case((Message.direction == "out", Message.created_at)))
            .over(**thread, rows=(None, 0))
            .label("answered_at"),
        )
        .where(Message.conversation_id.in_(threads))
        .subquery("thread")
    )
    return (
        select(
            messages.c.station_id,
            messages.c.channel,
            messages.c.created_at,
            sql.seconds_between(messages.c.created_at, messages.c.answered_at).label("seconds"),
        )
        .where(
            messages.c.direction == "in",
            or_(messages.c.before.is_(None), messages.c.before == "out"),
            sql.instant_in_range(messages.c.created_at, messages.c.station_id, filters, first, last),
        )
        .subquery("turns")
    )


def _response(filters: Filters, group_of, first, last, *, by_station: bool = True) -> list[dict]:
    """Turns, answered, within SLA and p50/p90 minutes per group (and station, unless pooled)."""
    turns = _turns(filters, first, last)
    keys = [group_of(turns.c.created_at, turns.c.station_id).label("grp")]
    if by_station:
        keys.append(turns.c.station_id.label("station_id"))
    sla_seconds = case({s.id: s.sla_minutes * MINUTE for s in filters.stations}, value=turns.c.station_id)
    aggregates = [
        func.count(),
        func.count(turns.c.seconds),
        func.sum(case((turns.c.seconds <= sla_seconds, 1), else_=0)),
    ]
    found = sql.aggregate_with_percentiles(turns, keys, aggregates, turns.c.seconds, [0.5, 0.9])
    rows = []
    for *key, count, answered, within, p50, p90 in sorted(found, key=lambda r: (r[0], r[1])):
        row = {
            "bucket": key[0],
            "turns": count,
            "answered": answered,
            "within_sla": ratio(int(within or 0), count),
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
        filters, lambda col, station: sql.bucket_of_instant(col, station, filters), filters.start, filters.end
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


def _inbound(filters: Filters):
    return and_(
        Message.direction == "in",
        sql.instant_in_range(Message.created_at, Message.station_id, filters, filters.start, filters.end),
    )


def volume(filters: Filters) -> Table:
    bucket = sql.bucket_of_instant(Message.created_at, Message.station_id, filters)
    stmt = (
        select(bucket.label("grp"), Message.channel, func.count())
        .where(_inbound(filters))
        .group_by(text("grp"), Message.channel)
        .order_by(text("grp"), Message.channel)
    )
    rows = [
        {"bucket": grp, "channel": CHANNEL_LABELS.get(channel, channel), "messages": count}
        for grp, channel, count in db.session.execute(stmt)
    ]
    return Table(
        "volume",
        "Customer messages by channel",
        [Column("bucket", "Period", "bucket"), Column("channel", "Channel", "text"), Column("messages", "Messages in")],
        rows,
        chart=ChartSpec("bar", "bucket", ("messages",), series="channel"),
    )


def intents(filters: Filters) -> Table:
    escalated = func.sum(case((Message.escalate.is_(True), 1), else_=0))
    stmt = (
        select(func.coalesce(Message.intent, "unlabelled").label("intent"), func.count(), escalated)
        .where(_inbound(filters))
        .group_by(text("intent"))
        .order_by(func.count().desc())
    )
    rows = [
        {"intent": intent.replace("_", " "), "messages": count, "escalated": int(esc or 0),
         "escalation_rate": ratio(int(esc or 0), count)}
        for intent, count, esc in db.session.execute(stmt)
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
    bucket = sql.bucket_of_instant(Draft.decided_at, Draft.station_id, filters)
    sent = Draft.status == "sent"
    stmt = (
        select(
            bucket.label("grp"),
            func.coalesce(Draft.intent, "other").label("intent"),
            func.count(),
            func.sum(case((sent, 1), else_=0)),
            func.sum(case((and_(sent, Draft.accepted_unchanged.is_(True)), 1), else_=0)),
            func.avg(case((sent, Draft.edit_distance))),
        )
        .where(
            Draft.source == "ai",
            Draft.status.in_(("sent", "rejected")),
            sql.instant_in_range(Draft.decided_at, Draft.station_id, filters, filters.start, filters.end),
        )
        .group_by(text("grp"), text("intent"))
        .order_by(text("grp"), text("intent"))
    )
    rows = []
    for grp, intent, decided, sent_count, unchanged, distance in db.session.execute(stmt):
        sent_count, unchanged = int(sent_count or 0), int(unchanged or 0)
        rows.append(
            {"bucket": grp, "intent": intent.replace("_", " "), "decided": decided, "sent": sent_count,
             "unchanged": unchanged, "rejected": decided - sent_count, "acceptance": ratio(unchanged, sent_count),
             "edit_distance": float(distance) if distance is not None else None}
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
    period = sql.period_of_instant(Message.created_at, Message.station_id, filters).label("grp")
    volume_rows = db.session.execute(
        select(period, func.count(), func.sum(case((Message.escalate.is_(True), 1), else_=0)))
        .where(Message.direction == "in")
        .where(sql.instant_in_range(Message.created_at, Message.station_id, filters, filters.span_start, filters.end))
        .group_by(text("grp"))
    ).all()
    messages = {grp: (count, int(esc or 0)) for grp, count, esc in volume_rows}
    decided = sql.period_of_instant(Draft.decided_at, Draft.station_id, filters).label("grp")
    draft_rows = db.session.execute(
        select(decided, func.count(), func.sum(case((Draft.accepted_unchanged.is_(True), 1), else_=0)))
        .where(Draft.source == "ai", Draft.status == "sent")
        .where(sql.instant_in_range(Draft.decided_at, Draft.station_id, filters, filters.span_start, filters.end))
        .group_by(text("grp"))
    ).all()
    acceptance = {grp: ratio(int(unchanged or 0), count) for grp, count, unchanged in draft_rows}

    def pick(which: str) -> dict:
        row = by_period.get(which, {})
        count, escalated = messages.get(which, (0, 0))
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
        filters,
        lambda col, station: sql.period_of_instant(col, station, filters),
        filters.span_start,
        filters.end,
        by_station=False,
    )
    return {row["bucket"]: row for row in rows}


def build(filters: Filters) -> Page:
    tables = [response_times(filters), volume(filters), intents(filters), drafts(filters)]
    return Page("conversations", TITLE, headlines(filters), tables)


TABLES = {"response_times": response_times, "volume": volume, "intents": intents, "drafts": drafts}
