"""The bookings numbers on the station dashboard (real counts, zero when empty)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select

from app.bookings.queries import overdue_balance
from app.dashboard.services import Stat, Window, contributes
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.station import Station

ACTIVE = (BookingStatus.PENDING_DEPOSIT.value, BookingStatus.CONFIRMED.value)


@contributes(order=10)
def booking_numbers(station_id: int, window: Window) -> list[Stat]:
    """One query: today's events, the next 7 days, deposits awaited, chefs missing, new today."""
    week_end = window.today_end + timedelta(days=7)
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
        ).where(Booking.station_id == station_id)
    ).one()
    today, week, awaiting, no_chef, created, outstanding = row
    today_local = window.local_day.isoformat()
    station = db.session.get(Station, station_id)
    overdue = db.session.scalar(
        select(func.count()).where(Booking.station_id == station_id, overdue_balance(station, window.local_day))
    )
    return [
        Stat("Events today", today, "bookings.calendar"),
        Stat("Events in the next 7 days", week, "bookings.index", {"status": "active", "from": today_local}),
        Stat(
            "Awaiting deposit",
            awaiting,
            "bookings.index",
            {"status": "pending_deposit"},
            tone="warn" if awaiting else "",
        ),
        Stat(
            "Upcoming without a chef",
            no_chef,
            "bookings.index",
            {"chef": "none", "status": "active"},
            tone="bad" if no_chef else "",
        ),
        Stat("Booked today", created, "bookings.index", {"sort": "-created"}),
        Stat("Balances outstanding ($)", f"{outstanding / 100:,.0f}"),
        Stat("Balances overdue", overdue or 0, "bookings.index", {"balance": "overdue"}, tone="bad" if overdue else ""),
    ]
