"""Recompute the daily rollups (app.models.analytics) of one station over a range of local days.

A *family* is the set of rollup tables dated by the same source column: "made" (a
booking's created_at), "events" (its event_date), "money" (payments and refunds),
"leads", "messages" (customer messages and the turns they start), "drafts" (decided_at)
and "reviews". `recompute(family, station, first, last)` deletes the family's rows of
those days and inserts them again from the source rows, one INSERT ... SELECT ... GROUP BY
per table: idempotent, the same code for one day (the maintenance job) and for years
(`flask analytics rebuild`). The definitions mirror app.analytics.reference exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, String, and_, case, cast, delete, func, insert, literal, or_, select, text, true
from sqlalchemy.orm import aliased

from app.analytics import sql
from app.analytics.filters import Filters, StationRef
from app.extensions import db
from app.models import analytics as r
from app.models.booking import HOLDS_SLOT, Booking
from app.models.conversation import Draft, Message
from app.models.lead import Lead
from app.models.payment import Payment, Refund, RefundStatus
from app.models.review import Review
from app.models.station import Station
from app.stations.settings import DEFAULT_SETTINGS

FAMILIES = ("made", "events", "money", "leads", "messages", "drafts", "reviews")
TABLES = {
    "made": (r.booking_days, r.menu_days),
    "events": (r.event_days, r.chef_days, r.cancel_days),
    "money": (r.money_days,),
    "leads": (r.lead_days, r.lead_waits),  # and lead_wait_months, summed from the days
    "messages": (r.message_days, r.response_minutes),  # and response_months
    "drafts": (r.draft_days,),
    "reviews": (r.review_days, r.review_chef_days),
}
DIMENSIONS = ("channel", "utm", "qr")
SOLD = ("pending_deposit", "confirmed", "completed", "no_show")  # parties that held the slot
HOLDING = [s.value for s in HOLDS_SLOT]
LeadBooking = aliased(Booking, name="lead_booking")
# By output name: the expressions carry bound values (zone, JSON path), repeating them would not match.
BY_DAY, BY_VALUE = text("day"), text("value")


@dataclass(frozen=True)
class Span:
    """One station and an inclusive range of its local days."""

    station: StationRef
    first: date
    last: date

    @property
    def filters(self) -> Filters:
        return Filters(self.first, self.last, "day", False, "station", (self.station,))

    def instants(self, col, station_col):
        return sql.instant_in_range(col, station_col, self.filters, self.first, self.last)

    def day_of(self, col, station_col):
        return sql.local_day(col, station_col, self.filters)

    def dates(self, col, station_col):
        return and_(station_col == self.station.id, col.between(self.first, self.last))


def _fill(table, stmt, names: list[str] | None = None) -> None:
    names = names or [c.name for c in stmt.selected_columns]
    db.session.execute(insert(table).from_select(names, stmt))


def _n(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def _guests(model=Booking):
    return model.adults + model.children + model.toddlers


def dimension_value(dim: str, model) -> object:
    """The group label stored for a source dimension (the QR code's id: names are read at page time)."""
    if dim == "utm":
        touch = model.first_touch if model is Lead else model.attribution
        return func.coalesce(func.nullif(touch["utm_source"].as_string(), ""), "(none)")
    if dim == "qr":
        return func.coalesce(cast(model.qr_code_id, String), "")
    return model.source


# --- families -------------------------------------------------------------------------


def _made(span: Span) -> None:
    day = span.day_of(Booking.created_at, Booking.station_id).label("day")
    booked = Booking.confirmed_at.is_not(None)
    expired = Booking.status == "expired"
    for dim in DIMENSIONS:
        stmt = (
            select(
                literal(span.station.id).label("station_id"),
                day,
                literal(dim).label("dim"),
                dimension_value(dim, Booking).label("value"),
                func.count().label("made"),
                _n(Booking.lead_id.is_not(None)).label("from_leads"),
                _n(booked).label("confirmed"),
                _n(Booking.status == "completed").label("completed"),
                func.sum(case((booked, Booking.total_cents), else_=0)).label("booked_cents"),
                func.sum(case((booked, _guests()), else_=0)).label("guests"),
                _n(expired).label("expired"),
                func.sum(case((expired, Booking.total_cents), else_=0)).label("expired_cents"),
            )
            .where(span.instants(Booking.created_at, Booking.station_id))
            .group_by(BY_DAY, BY_VALUE)
        )
        _fill(r.booking_days, stmt)
    for kind, column in (("Upgrade", Booking.upgrades), ("Add-on", Booking.add_ons)):
        name = f"{kind[0].lower()}_items"
        if sql.is_postgres():
            items = func.json_each_text(column).table_valued("key", "value").render_derived(name=name)
        else:
            items = func.json_each(column).table_valued("key", "value").alias(name)
        stmt = (
            select(
                literal(span.station.id).label("station_id"),
                day,
                literal(kind).label("kind"),
                items.c.key.label("item"),
                func.sum(cast(items.c.value, Integer)).label("portions"),
                func.count().label("bookings"),
            )
            .select_from(Booking)
            .join(items, true())
            .where(span.instants(Booking.created_at, Booking.station_id), booked)
            .group_by(BY_DAY, items.c.key)
        )
        _fill(r.menu_days, stmt)


def _events(span: Span) -> None:
    station = literal(span.station.id).label("station_id")
    day = Booking.event_date.label("day")
    in_span = span.dates(Booking.event_date, Booking.station_id)
    status = Booking.status
    owed = Booking.total_cents - (Booking.paid_cents - Booking.refunded_cents)
    holding = status.in_(HOLDING)
    _fill(
        r.event_days,
        select(
            station,
            day,
            _n(status != "expired").label("planned"),
            _n(status == "cancelled").label("cancelled"),
            _n(status == "no_show").label("no_shows"),
            _n(status == "completed").label("completed"),
            _n(status.in_(SOLD)).label("sold"),
            _n(holding).label("holding"),
            func.sum(case((and_(holding, owed > 0), owed), else_=0)).label("outstanding_cents"),
        )
        .where(in_span)
        .group_by(Booking.event_date),
    )
    _fill(
        r.event_days,
        select(station, day, func.count().label("coverage_rows"), func.count(Review.id).label("reviewed"))
        .select_from(Booking)
        .outerjoin(Review, Review.booking_id == Booking.id)
        .where(in_span, status == "completed")
        .group_by(Booking.event_date),
    )
    completed = status == "completed"
    _fill(
        r.chef_days,
        select(
            station,
            day,
            Booking.chef_id.label("chef_id"),
            func.count().label("events"),
            _n(completed).label("completed"),
            _n(status == "no_show").label("no_shows"),
            func.sum(case((completed, _guests()), else_=0)).label("guests"),
            func.sum(case((completed, Booking.total_cents), else_=0)).label("completed_cents"),
        )
        .where(in_span, status.in_(SOLD))
        .group_by(Booking.event_date, Booking.chef_id),
    )
    reason = func.lower(func.trim(Booking.cancel_reason))
    _fill(
        r.cancel_days,
        select(
            station,
            day,
            reason.label("reason_key"),
            func.min(func.trim(Booking.cancel_reason)).label("label"),
            func.count().label("cancelled"),
            _n(Booking.refund_eligible.is_(True)).label("refund_eligible"),
        )
        .where(in_span, status == "cancelled")
        .group_by(Booking.event_date, reason),
    )


def _money(span: Span) -> None:
    station = literal(span.station.id).label("station_id")
    paid_day = span.day_of(Payment.created_at, Payment.station_id).label("day")
    _fill(
        r.money_days,
        select(
            station, paid_day, func.count().label("deposits"), func.sum(Payment.amount_cents).label("deposits_cents")
        )
        .where(span.instants(Payment.created_at, Payment.station_id))
        .where(Payment.kind == "deposit", Payment.status == "succeeded")
        .group_by(BY_DAY),
    )
    refund_day = span.day_of(Refund.created_at, Refund.station_id).label("day")
    _fill(
        r.money_days,
        select(station, refund_day, func.count().label("refunds"), func.sum(Refund.amount_cents).label("refunds_cents"))
        .where(span.instants(Refund.created_at, Refund.station_id), Refund.status == RefundStatus.SUCCEEDED)
        .group_by(BY_DAY),
    )


def _leads(span: Span) -> None:
    from app.analytics.reference.funnel import QUOTED  # the one definition of "quoted"

    station = literal(span.station.id).label("station_id")
    day = span.day_of(Lead.created_at, Lead.station_id).label("day")
    source = Lead.__table__.outerjoin(LeadBooking, LeadBooking.id == Lead.booking_id)
    in_span = and_(span.instants(Lead.created_at, Lead.station_id), Lead.merged_into_id.is_(None))
    wait = sql.seconds_between(Lead.created_at, LeadBooking.created_at)
    waited = sql.duration_bin(wait).label("bin")
    for dim in DIMENSIONS:
        value = dimension_value(dim, Lead)
        _fill(
            r.lead_days,
            select(
                station,
                day,
                literal(dim).label("dim"),
                value.label("value"),
                func.count().label("leads"),
                _n(QUOTED).label("quoted"),
                _n(Lead.booking_id.is_not(None)).label("booked"),
                _n(LeadBooking.status == "completed").label("completed"),
            )
            .select_from(source)
            .where(in_span)
            .group_by(BY_DAY, BY_VALUE),
        )
        _fill(
            r.lead_waits,
            select(station, day, literal(dim).label("dim"), value.label("value"), waited, func.count().label("n"))
            .select_from(source)
            .where(in_span, LeadBooking.id.is_not(None))
            .group_by(BY_DAY, BY_VALUE, text("bin")),
        )


def _messages(span: Span) -> None:
    station = literal(span.station.id).label("station_id")
    day = span.day_of(Message.created_at, Message.station_id).label("day")
    intent = func.coalesce(Message.intent, "unlabelled")
    _fill(
        r.message_days,
        select(
            station,
            day,
            Message.channel.label("channel"),
            intent.label("intent"),
            func.count().label("messages"),
            _n(Message.escalate.is_(True)).label("escalated"),
        )
        .where(Message.direction == "in", span.instants(Message.created_at, Message.station_id))
        .group_by(BY_DAY, Message.channel, text("intent")),
    )
    # Turns: the same window pass as the reference, over the whole threads with a message in the span.
    thread = {"partition_by": Message.conversation_id, "order_by": (Message.created_at.desc(), Message.id.desc())}
    threads = select(Message.conversation_id).where(span.instants(Message.created_at, Message.station_id))
    messages = (
        select(
            Message.station_id,
            Message.direction,
            Message.created_at,
            func.lead(Message.direction).over(**thread).label("before"),
            func.min(case((Message.direction == "out", Message.created_at)))
            .over(**thread, rows=(None, 0))
            .label("answered_at"),
        )
        .where(Message.conversation_id.in_(threads))
        .subquery("thread")
    )
    turn_day = span.day_of(messages.c.created_at, messages.c.station_id).label("day")
    answer = sql.seconds_between(messages.c.created_at, messages.c.answered_at)
    answered = sql.duration_bin(answer).label("bin")
    _fill(
        r.response_minutes,
        select(station, turn_day, answered, func.count().label("n"))
        .where(
            messages.c.direction == "in",
            or_(messages.c.before.is_(None), messages.c.before == "out"),
            span.instants(messages.c.created_at, messages.c.station_id),
        )
        .group_by(BY_DAY, text("bin")),
    )


def _drafts(span: Span) -> None:
    day = span.day_of(Draft.decided_at, Draft.station_id).label("day")
    sent = Draft.status == "sent"
    intent = func.coalesce(Draft.intent, "other")
    _fill(
        r.draft_days,
        select(
            literal(span.station.id).label("station_id"),
            day,
            intent.label("intent"),
            func.count().label("decided"),
            _n(sent).label("sent"),
            _n(and_(sent, Draft.accepted_unchanged.is_(True))).label("unchanged"),
            func.coalesce(func.sum(case((sent, Draft.edit_distance))), 0).label("distance_sum"),
            func.count(case((sent, Draft.edit_distance))).label("distance_n"),
        )
        .where(Draft.source == "ai", Draft.status.in_(("sent", "rejected")))
        .where(span.instants(Draft.decided_at, Draft.station_id))
        .group_by(BY_DAY, text("intent")),
    )


def _reviews(span: Span) -> None:
    station = literal(span.station.id).label("station_id")
    day = span.day_of(Review.created_at, Review.station_id).label("day")
    in_span = span.instants(Review.created_at, Review.station_id)
    _fill(
        r.review_days,
        select(station, day, Review.rating.label("rating"), func.count().label("n"))
        .where(in_span)
        .group_by(BY_DAY, Review.rating),
    )
    _fill(
        r.review_chef_days,
        select(
            station,
            day,
            Review.chef_id.label("chef_id"),
            func.count().label("n"),
            func.sum(Review.rating).label("rating_sum"),
        )
        .where(in_span)
        .group_by(BY_DAY, Review.chef_id),
    )


FILL = {
    "made": _made,
    "events": _events,
    "money": _money,
    "leads": _leads,
    "messages": _messages,
    "drafts": _drafts,
    "reviews": _reviews,
}
MENU_LABELS = {item.key: item.label for item in [*DEFAULT_SETTINGS.upgrades, *DEFAULT_SETTINGS.add_ons]}


# Day tables also kept summed per month (readers.histogram reads whole months from them).
MONTHLY = {
    "leads": [(r.lead_waits, r.lead_wait_months)],
    "messages": [(r.response_minutes, r.response_months), (r.message_days, r.message_months)],
}
MEASURES = {"analytics_message_days": ("messages", "escalated")}  # else the one count "n"


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _sum_months(days_table, months_table, station_id: int, first: date, last: date) -> None:
    """The month rows of the months [first, last] touch, summed again from the day rows."""
    first, last = month_start(first), month_end(last)
    measures = MEASURES.get(days_table.name, ("n",))
    keys = [c for c in days_table.c if c.name not in ("id", "station_id", "day", *measures)]
    month = sql.month_of(days_table.c.day).label("month")  # not "day": GROUP BY would take the column
    db.session.execute(
        delete(months_table).where(months_table.c.station_id == station_id, months_table.c.day.between(first, last))
    )
    stmt = (
        select(days_table.c.station_id, month, *keys, *[func.sum(days_table.c[m]).label(m) for m in measures])
        .where(days_table.c.station_id == station_id, days_table.c.day.between(first, last))
        .group_by(days_table.c.station_id, text("month"), *keys)
    )
    _fill(months_table, stmt, ["station_id", "day", *[k.name for k in keys], *measures])


def recompute(family: str, station: StationRef, first: date, last: date) -> None:
    """Replace the family's rows of `station` for the local days [first, last] (flushes, never commits)."""
    span = Span(station, first, last)
    for table in TABLES[family]:
        db.session.execute(delete(table).where(table.c.station_id == station.id, table.c.day.between(first, last)))
    FILL[family](span)
    for days_table, months_table in MONTHLY.get(family, ()):
        _sum_months(days_table, months_table, station.id, first, last)


def capacity_by_day(station: Station, first: date, last: date) -> dict[date, int]:
    """Chef-slots per local day, as the booking pages compute them (every day, zero included)."""
    from app.availability.services import capacities

    result = {first + timedelta(days=i): 0 for i in range((last - first).days + 1)}
    for (day, _slot), capacity in capacities(station, first, last).items():
        result[day] += capacity
    return result


def recompute_capacity(station: Station, first: date, last: date) -> None:
    """Replace the station's capacity rows of [first, last] (flushes, never commits)."""
    table = r.capacity_days
    db.session.execute(delete(table).where(table.c.station_id == station.id, table.c.day.between(first, last)))
    rows = [
        {"station_id": station.id, "day": day, "capacity": n}
        for day, n in capacity_by_day(station, first, last).items()
    ]
    db.session.execute(insert(table), rows)


def capacity_range(station_id: int) -> tuple[date, date] | None:
    """The days the station's capacity rows cover (the range a change recomputes)."""
    table = r.capacity_days
    first, last = db.session.execute(
        select(func.min(table.c.day), func.max(table.c.day)).where(table.c.station_id == station_id)
    ).one()
    return (first, last) if first is not None else None
