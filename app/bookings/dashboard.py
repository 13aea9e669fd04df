"""The bookings numbers and the coming events on the station dashboard (real counts, zero when empty)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import case, func, select

from app.bookings.queries import overdue_balance
from app.chefs.services import chef_for_user
from app.dashboard.services import AGENDA, AgendaEntry, Stat, Window, contributes
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.station import Station
from app.permissions import can
from app.tenancy import scoped

ACTIVE = (BookingStatus.PENDING_DEPOSIT.value, BookingStatus.CONFIRMED.value)
EARNED = (BookingStatus.CONFIRMED.value, BookingStatus.COMPLETED.value)
AGENDA_DAYS = 14
AGENDA_LIMIT = 12


@contributes(order=10)
def booking_numbers(station_id: int, window: Window) -> list[Stat]:
    """One query: today's events, the next 7 days, deposits awaited, chefs missing, new today."""
    week_end = window.today_end + timedelta(days=7)
    month_start, month_end = _month(window)
    active = Booking.status.in_(ACTIVE)
    row = db.session.execute(
        select(
            func.count(
                case((active & (Booking.starts_at >= window.today_start) & (Booking.starts_at < window.today_end), 1))
            ),
            func.count(case((active & (Booking.starts_at >= window.today_end) & (Booking.starts_at < week_end), 1))),
            func.count(case((Booking.status == BookingStatus.PENDING_DEPOSIT.value, 1))),
            func.count(case((active & Booking.chef_id.is_(None) & (Booking.starts_at >= window.now), 1))),
            func.count(case(((Booking.created_at >= window.today_start) & (Booking.created_at < window.today_end), 1))),
            func.coalesce(
                func.sum(
                    case(
                        (
                            active & (Booking.starts_at >= window.now),
                            Booking.total_cents - Booking.paid_cents + Booking.refunded_cents,
                        )
                    )
                ),
                0,
            ),
            func.coalesce(
                func.sum(
                    case(
                        (
                            Booking.status.in_(EARNED)
                            & (Booking.starts_at >= month_start)
                            & (Booking.starts_at < month_end),
                            Booking.total_cents - Booking.refunded_cents,
                        )
                    )
                ),
                0,
            ),
        ).where(
            Booking.station_id == station_id,
            # Every figure above counts active bookings, today's new ones or this month's
            # events: say so, and the count reads those through indexes instead of all the
            # station's bookings.
            active
            | (Booking.created_at >= window.today_start)
            | ((Booking.starts_at >= month_start) & (Booking.starts_at < month_end)),
        )
    ).one()
    today, week, awaiting, no_chef, created, outstanding, revenue = row
    today_local = window.local_day.isoformat()
    station = db.session.get(Station, station_id)
    overdue = db.session.scalar(
        select(func.count()).where(Booking.station_id == station_id, overdue_balance(station, window.local_day))
    )
    return [
        Stat("Events today", today, "bookings.calendar", headline=True),
        Stat(
            "Events in the next 7 days",
            week,
            "bookings.index",
            {"status": "active", "from": today_local},
            headline=True,
        ),
        Stat(
            "Awaiting deposit",
            awaiting,
            "bookings.index",
            {"status": "pending_deposit"},
            tone="warn" if awaiting else "",
            headline=True,
        ),
        Stat(
            "Upcoming without a chef",
            no_chef,
            "bookings.index",
            {"chef": "none", "status": "active"},
            tone="bad" if no_chef else "",
        ),
        Stat("Booked today", created, "bookings.index", {"sort": "-created"}),
        Stat("Revenue this month ($)", f"{revenue / 100:,.0f}", "analytics.revenue", headline=True),
        Stat("Balances outstanding ($)", f"{outstanding / 100:,.0f}", permission="dashboard.money"),
        Stat("Balances overdue", overdue or 0, "bookings.index", {"balance": "overdue"}, tone="bad" if overdue else ""),
    ]


def _month(window: Window) -> tuple[datetime, datetime]:
    """This local month as UTC instants (events of the month count as its revenue)."""
    zone = ZoneInfo(window.timezone)
    first = window.local_day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC),
        datetime.combine(following, time.min, tzinfo=zone).astimezone(UTC),
    )


def agenda(station_id: int, window: Window) -> tuple[str, list[AgendaEntry]] | None:
    """Today's and the next two weeks' events: the station's for the team, a chef's own for a chef."""
    if not has_request_context():
        return None
    where = [Booking.status.in_(ACTIVE), Booking.starts_at >= window.today_start]
    where.append(Booking.starts_at < window.today_end + timedelta(days=AGENDA_DAYS))
    if can("bookings.view"):
        heading, endpoint = "Today and next", "bookings.show"
    elif can("bookings.view_own"):
        chef = chef_for_user(station_id, current_user.id)
        if chef is None:
            return "Your events", []
        heading, endpoint = "Your events", "chefs.event_sheet"
        where.append(Booking.chef_id == chef.id)
    else:
        return None
    bookings = db.session.scalars(
        scoped(Booking, *where, station_id=station_id).order_by(Booking.starts_at).limit(AGENDA_LIMIT)
    )
    return heading, [
        AgendaEntry(
            starts_at=booking.starts_at,
            title=booking.customer.name,
            address=f"{booking.address}, {booking.zip_code}",
            guests=booking.guests,
            status=booking.status,
            chef=booking.chef.name if booking.chef else None,
            endpoint=endpoint,
            params={"booking_id": booking.id},
        )
        for booking in bookings
    ]


AGENDA.append(agenda)
