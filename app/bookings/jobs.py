"""Booking jobs: expire bookings whose deposit deadline passed."""

from __future__ import annotations

from sqlalchemy import select

from app.bookings import lifecycle
from app.extensions import db
from app.jobs.registry import job
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus


@job("bookings.expire_overdue_deposits", queue="periodic", retries=0)
def expire_overdue_deposits(limit: int = 500) -> int:
    """Expire unpaid bookings past their deadline (frees their slots); idempotent."""
    now = utcnow()
    overdue = db.session.scalars(
        select(Booking)
        .where(Booking.status == BookingStatus.PENDING_DEPOSIT.value, Booking.deposit_due_at <= now)
        .order_by(Booking.deposit_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Booking)
    ).all()
    expired = sum(1 for booking in overdue if lifecycle.expire(booking, now=now))
    db.session.commit()
    return expired
