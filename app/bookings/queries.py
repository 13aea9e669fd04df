"""Read-side queries for the staff pages: the filtered list and the calendar grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, or_, select, union
from sqlalchemy.orm import joinedload, lazyload, load_only

from app.availability.services import booked_counts, capacities
from app.customers.contact import normalise_phone
from app.extensions import db
from app.ids import parse_id
from app.models.base import contains_text
from app.models.booking import HOLDS_SLOT, Booking, BookingStatus
from app.models.customer import Customer
from app.models.station import Station
from app.tenancy import scoped

SORTS = {
    "date": (Booking.event_date.asc(), Booking.slot_time.asc(), Booking.id.asc()),
    "-date": (Booking.event_date.desc(), Booking.slot_time.desc(), Booking.id.desc()),
    "created": (Booking.created_at.asc(), Booking.id.asc()),
    "-created": (Booking.created_at.desc(), Booking.id.desc()),
    "total": (Booking.total_cents.asc(), Booking.id.asc()),
    "-total": (Booking.total_cents.desc(), Booking.id.desc()),
}


@dataclass
class ListFilters:
    q: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    chef: str = ""  # chef id, "none" for unassigned, "" for any
    balance: str = ""  # "overdue": a balance left after its due day, "" for any
    sort: str = "date"

    @classmethod
    def from_args(cls, args) -> ListFilters:
        def _date(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        status = args.get("status", "")
        sort = args.get("sort", "date")
        return cls(
            q=(args.get("q") or "").strip()[:100],
            status=status if status in {s.value for s in BookingStatus} | {"active"} else "",
            date_from=_date("from"),
            date_to=_date("to"),
            chef=(args.get("chef") or "").strip(),
            balance="overdue" if args.get("balance") == "overdue" else "",
            sort=sort if sort in SORTS else "date",
        )


def overdue_balance(station: Station, today: date) -> ColumnElement[bool]:
    """Confirmed or completed parties still owing money after the balance's due day
    (`balance_due_days` before the event, station-local)."""
    due_days = station.settings.balance_due_days
    return and_(
        Booking.status.in_([BookingStatus.CONFIRMED.value, BookingStatus.COMPLETED.value]),
        Booking.total_cents > Booking.paid_cents - Booking.refunded_cents,
        Booking.event_date < today + timedelta(days=due_days),
    )


def booking_list(filters: ListFilters, *, station: Station | None = None, today: date | None = None) -> Select:
    """The station's bookings matching the filters, customer joined (one query a page)."""
    stmt = scoped(Booking)
    if filters.q:
        stmt = stmt.where(Booking.id.in_(_search_ids(filters.q)))
    if filters.status == "active":
        stmt = stmt.where(Booking.status.in_([s.value for s in HOLDS_SLOT]))
    elif filters.status:
        stmt = stmt.where(Booking.status == filters.status)
    if filters.date_from:
        stmt = stmt.where(Booking.event_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Booking.event_date <= filters.date_to)
    if filters.chef == "none":
        stmt = stmt.where(Booking.chef_id.is_(None))
    elif (chef_id := parse_id(filters.chef)) is not None:
        stmt = stmt.where(Booking.chef_id == chef_id)
    if filters.balance == "overdue" and station is not None and today is not None:
        stmt = stmt.where(overdue_balance(station, today))
    return stmt.order_by(*SORTS[filters.sort])


def _search_ids(q: str):
    """Ids of bookings whose customer (name, email, phone) or reference matches `q`.

    One branch per table, joined by UNION rather than an OR across the two tables, so
    each branch can use its own indexes (the trigram indexes on PostgreSQL).
    """
    customer_terms = [contains_text(Customer.name, q), contains_text(Customer.email, q)]
    try:
        phone = normalise_phone(q)
    except ValueError:
        phone = None
    if phone:
        customer_terms.append(Customer.phone == phone)
    matching_customers = select(Customer.id).where(or_(*customer_terms))
    return union(
        select(Booking.id).where(Booking.customer_id.in_(matching_customers)),
        select(Booking.id).where(contains_text(Booking.reference, q)),
    )


@dataclass
class CalendarSlot:
    slot_time: str
    capacity: int
    booked: int
    bookings: list[Booking] = field(default_factory=list)

    @property
    def tone(self) -> str:
        if self.capacity == 0:
            return "closed"
        if self.booked >= self.capacity:
            return "full"
        return "open" if self.booked == 0 else "some"


@dataclass
class CalendarDay:
    day: date
    slots: list[CalendarSlot]
    in_month: bool = True

    @property
    def booked(self) -> int:
        return sum(s.booked for s in self.slots)

    @property
    def capacity(self) -> int:
        return sum(s.capacity for s in self.slots)


def calendar_range(view: str, anchor: date) -> tuple[date, date]:
    if view == "month":
        first_of_month = anchor.replace(day=1)
        start = first_of_month - timedelta(days=first_of_month.weekday())
        next_month = (first_of_month + timedelta(days=32)).replace(day=1)
        last_of_month = next_month - timedelta(days=1)
        end = last_of_month + timedelta(days=6 - last_of_month.weekday())
        return start, end
    start = anchor - timedelta(days=anchor.weekday())
    return start, start + timedelta(days=6)


def calendar(station: Station, view: str, anchor: date, *, with_bookings: bool) -> list[CalendarDay]:
    """Days of the week or month, each slot with booked / capacity (three queries + one)."""
    first, last = calendar_range(view, anchor)
    caps = capacities(station, first, last)
    sold = booked_counts(station.id, first, last)
    by_slot: dict[tuple[date, str], list[Booking]] = {}
    if with_bookings:
        rows = db.session.scalars(
            scoped(
                Booking,
                Booking.event_date.between(first, last),
                Booking.status.in_([s.value for s in HOLDS_SLOT]),
                station_id=station.id,
            )
            # The grid shows a name, the guests and a "no chef" badge: load only those
            # columns (a whole booking carries its ~1 KB quote and other JSON).
            .options(
                load_only(
                    Booking.id,
                    Booking.station_id,
                    Booking.event_date,
                    Booking.slot_time,
                    Booking.customer_id,
                    Booking.chef_id,
                    Booking.adults,
                    Booking.children,
                    Booking.toddlers,
                ),
                joinedload(Booking.customer).load_only(Customer.id, Customer.name),
                lazyload(Booking.chef),
            )
            .order_by(Booking.event_date, Booking.slot_time, Booking.id)
        ).all()
        for booking in rows:
            by_slot.setdefault((booking.event_date, booking.slot_time), []).append(booking)
    days = []
    day = first
    while day <= last:
        slots = [
            CalendarSlot(slot, caps.get((day, slot), 0), sold.get((day, slot), 0), by_slot.get((day, slot), []))
            for slot in station.settings.slot_times
        ]
        days.append(CalendarDay(day, slots, in_month=(view != "month" or day.month == anchor.month)))
        day += timedelta(days=1)
    return days


def station_today(station: Station, now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(station.timezone)).date()
