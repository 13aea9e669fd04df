"""Keeping the rollups current: which station-days a change touches, and the job that redoes them.

Every change of a source row goes through the ORM in a service or a job; rather than
asking each of them to remember analytics, a session hook notes what each flush changes
(the instants and dates that date the row, old and new values) and, at commit, writes
them to `analytics_pending` in the same transaction (one INSERT: see bench/README.md for
the measured cost). `catch_up()` turns pending notes into (family, station, local day)
and recomputes each from the source rows (app.analytics.rollups.recompute), under a lock
per station: idempotent, so a repeated or late run only redoes the same sums. The periodic
job `analytics.refresh_pending` (every 30 s) and every analytics page (before it reads)
catch up, so a page always shows what a raw query would. A late refund, a cancellation,
a reschedule (old and new event date), a relabelled message: each moves its day. Statements that bypass the ORM
(bulk UPDATE, INSERT ... ON CONFLICT) are not seen: the services that use them either
change nothing the rollups read or touch the row through the ORM afterwards (an inbound
message is classified); for anything else, `flask analytics rebuild`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, attributes, object_session

from app import locks
from app.analytics import rollups
from app.analytics.filters import StationRef
from app.extensions import db
from app.jobs.registry import job
from app.models import analytics as r
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.conversation import Conversation, Draft, Message
from app.models.lead import Lead
from app.models.payment import Payment, Refund
from app.models.review import Review
from app.models.station import Station

JOB = "analytics.refresh_pending"
# Rows that change how many chef-slots a day has: the station's capacity rows are redone.
CAPACITY = (Chef, AvailabilityWindow, TimeOff, Blackout, Station)
# Of a station's own columns, these change its chef-slots (slot times live in the settings).
STATION_CAPACITY_COLUMNS = ("settings_overrides", "timezone", "is_active")
NOTES = "analytics_touched"
# model -> [(family, attribute that dates the row: an instant or a local date)]
DATED = {
    Booking: [("made", "created_at"), ("events", "event_date")],
    Payment: [("money", "created_at")],
    Refund: [("money", "created_at")],
    Lead: [("leads", "created_at")],
    Message: [("messages", "created_at")],
    Draft: [("drafts", "decided_at")],
    Review: [("reviews", "created_at")],
}

WATCHED = (*DATED, Conversation, *CAPACITY)


def _values(obj, name: str) -> list:
    """The attribute's current value and, when it changed in this flush, the old one."""
    history = attributes.get_history(obj, name)
    found = [*history.added, *history.unchanged, *history.deleted]
    if not found:
        found = [getattr(obj, name, None)]
    return [v for v in found if v is not None]


def _changed(obj, name: str) -> bool:
    return attributes.get_history(obj, name).has_changes()


def _station_ids(obj) -> list[int]:
    return [v for v in _values(obj, "station_id") if v is not None]


def _note(notes: list, obj) -> None:
    """What a changed row dates: [family, station id, ISO instant or date] (and the links to follow)."""
    kind = type(obj)
    if kind in CAPACITY:
        deleted = obj in (object_session(obj).deleted if object_session(obj) else ())
        if kind is Station and not deleted and not any(_changed(obj, n) for n in STATION_CAPACITY_COLUMNS):
            return  # a renamed station, a new phone number: its chef-slots are what they were
        station_id = obj.id if kind is Station else obj.station_id
        if station_id is not None:
            notes.append(["capacity", station_id, None])
        return
    for family, name in DATED.get(kind, ()):
        for station_id in _station_ids(obj):
            notes.extend([family, station_id, v.isoformat()] for v in _values(obj, name))
    if kind is Booking and obj.id is not None:
        notes.append(["booking-leads", obj.id, None])  # leads count as booked / completed by their booking
    elif kind is Review:
        notes.extend(["booking-events", booking_id, None] for booking_id in _values(obj, "booking_id"))
    if kind in (Message, Conversation) and obj.id is not None:
        conversation_id = obj.conversation_id if kind is Message else obj.id
        instants = _values(obj, "created_at" if kind is Message else "last_inbound_at")
        notes.extend(["thread", conversation_id, v.isoformat()] for v in instants if isinstance(v, datetime))


@event.listens_for(Session, "before_flush")
def _collect_changed(session: Session, flush_context, instances) -> None:
    """Changed and deleted rows: their old values are known only before the flush."""
    notes = session.info.setdefault(NOTES, [])
    for obj in session.deleted:
        if type(obj) in WATCHED:
            _note(notes, obj)
    for obj in session.dirty:
        if (type(obj) in WATCHED) and session.is_modified(obj):
            _note(notes, obj)


@event.listens_for(Session, "after_flush")
def _collect_new(session: Session, flush_context) -> None:
    """New rows: their ids and defaulted instants (created_at) are set only by the flush."""
    notes = session.info.setdefault(NOTES, [])
    for obj in session.new:
        if type(obj) in WATCHED:
            _note(notes, obj)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.info.get(NOTES) or session.new or session.dirty or session.deleted:
        session.flush()
    notes = session.info.pop(NOTES, None)
    if notes:
        unique = [list(n) for n in dict.fromkeys(tuple(n) for n in notes)]
        session.execute(insert(r.pending).values(touched=unique))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(NOTES, None)


# --- the job ----------------------------------------------------------------------------


def _refs(station_ids) -> dict[int, StationRef]:
    rows = db.session.scalars(select(Station).where(Station.id.in_(set(station_ids))))
    return {s.id: StationRef(s.id, s.slug, s.name, s.timezone, s.settings.first_response_sla_minutes) for s in rows}


def _local(station: StationRef, value: str | datetime) -> date:
    from zoneinfo import ZoneInfo

    if isinstance(value, str):
        if len(value) == 10:
            return date.fromisoformat(value)
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(station.timezone)).date()


def _thread_days(conversation_id: int, at: datetime) -> list[tuple[int, datetime]]:
    """Inbound messages whose turn a message at `at` may start, end or join: from our reply
    before it to our reply after it (the turn's start and its answer both move)."""
    thread = Message.conversation_id == conversation_id
    replies = (thread, Message.direction == "out")
    before = db.session.scalar(select(func.max(Message.created_at)).where(*replies, Message.created_at < at))
    after = db.session.scalar(select(func.min(Message.created_at)).where(*replies, Message.created_at > at))
    stmt = select(Message.station_id, Message.created_at).where(thread, Message.direction == "in")
    if before is not None:
        stmt = stmt.where(Message.created_at >= before)
    if after is not None:
        stmt = stmt.where(Message.created_at <= after)
    return [(station_id, created) for station_id, created in db.session.execute(stmt)]


def resolve(touched: list[list[Any]]) -> dict[tuple[str, int], set[date]]:
    """{(family, station id): local days} the notes stand for, following the links."""
    direct: list[tuple[str, int, Any]] = []
    for kind, ident, value in touched:
        if kind == "capacity":
            continue  # whole stations, see refresh()
        if kind == "booking-leads":
            rows = db.session.execute(select(Lead.station_id, Lead.created_at).where(Lead.booking_id == ident))
            direct.extend(("leads", station_id, created) for station_id, created in rows)
        elif kind == "booking-events":
            rows = db.session.execute(select(Booking.station_id, Booking.event_date).where(Booking.id == ident))
            direct.extend(("events", station_id, day.isoformat()) for station_id, day in rows)
        elif kind == "thread":
            at = datetime.fromisoformat(value)
            direct.extend(("messages", station_id, created) for station_id, created in _thread_days(ident, at))
        else:
            direct.append((kind, ident, value))
    stations = _refs(station_id for _, station_id, _ in direct)
    days: dict[tuple[str, int], set[date]] = defaultdict(set)
    for family, station_id, value in direct:
        if station_id in stations:
            days[(family, station_id)].add(_local(stations[station_id], value))
    return days


def runs(days: set[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges: one recompute per range."""
    result: list[tuple[date, date]] = []
    for day in sorted(days):
        if result and day == result[-1][1] + timedelta(days=1):
            result[-1] = (result[-1][0], day)
        else:
            result.append((day, day))
    return result


def refresh(touched: list[list[Any]]) -> int:
    """Recompute the station-days the notes touched (flushes, never commits); returns how many."""
    found = resolve(touched)
    capacity = sorted({ident for kind, ident, _ in touched if kind == "capacity"})
    stations = _refs(station_id for _, station_id in found)
    # Two runs redoing one station-day at once would both insert its rows: one at a time per station.
    locks.hold(*[f"analytics:{station_id}" for station_id in {*stations, *capacity}])
    count = 0
    for station_id in capacity:
        covered = rollups.capacity_range(station_id)
        station = db.session.get(Station, station_id)
        if covered is not None and station is not None:
            rollups.recompute_capacity(station, *covered)
            count += (covered[1] - covered[0]).days + 1
    for (family, station_id), days in sorted(found.items()):
        for first, last in runs(days):
            rollups.recompute(family, stations[station_id], first, last)
            count += (last - first).days + 1
    return count


def catch_up(limit: int = 200) -> int:
    """Apply the pending notes (oldest first, up to `limit` transactions) and commit; returns station-days."""
    stmt = select(r.pending.c.id, r.pending.c.touched).order_by(r.pending.c.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two runs never take the same notes
    rows = db.session.execute(stmt).all()
    if not rows:
        db.session.commit()
        return 0
    count = refresh([note for _, touched in rows for note in touched])
    db.session.execute(delete(r.pending).where(r.pending.c.id.in_([row_id for row_id, _ in rows])))
    db.session.commit()
    return count


@job(JOB, queue="periodic", retries=0, timeout=600)
def refresh_pending() -> int:
    """Catch the rollups up with every committed change (the pages also do before they read)."""
    total = 0
    while done := catch_up():
        total += done
    return total
