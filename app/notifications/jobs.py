"""Notification jobs: one per announced booking event, one for account email, three periodic checks.

Each takes ids, writes its rows once (unique keys) and hands them to the delivery layer
(app.notifications.sending, app.delivery), which sends each at most once. What cannot go
now (a provider down, quiet hours) stays queued for the delivery sweep.
"""

from __future__ import annotations

from app.jobs.registry import job
from app.models.base import utcnow
from app.models.delivery import WENT_OUT
from app.notifications import planning
from app.notifications.sending import send_all


def _went_out(outcome: dict[str, int]) -> int:
    return sum(outcome.get(status, 0) for status in WENT_OUT)


@job("notifications.booking_event", queue="notifications")
def booking_event(booking_id: int, kind: str, event_id: int | None = None) -> dict[str, int]:
    """Create and send the notifications a booking event calls for."""
    return send_all(planning.for_booking_event(booking_id, kind, event_id))


@job("notifications.send", queue="notifications")
def send(notification_ids: list[int]) -> dict[str, int]:
    """Send rows already written (account email, test sends)."""
    return send_all(notification_ids)


@job("notifications.deposit_reminders", queue="periodic", retries=0)
def deposit_reminders() -> int:
    """Remind unpaid bookings before their deposit deadline."""
    now = utcnow()
    return _went_out(send_all(planning.deposit_reminders(now), now=now))


@job("notifications.balance_reminders", queue="periodic", retries=0)
def balance_reminders() -> int:
    """Remind confirmed bookings of their balance N+4 and N days before (N: balance_due_days)."""
    now = utcnow()
    return _went_out(send_all(planning.balance_reminders(now), now=now))


@job("notifications.event_reminders", queue="periodic", retries=0)
def event_reminders() -> int:
    """Remind confirmed bookings reminder_hours_before (48 h) before the event."""
    now = utcnow()
    return _went_out(send_all(planning.event_reminders(now), now=now))


@job("notifications.review_requests", queue="periodic", retries=0)
def review_requests() -> int:
    """Ask completed parties for a review, and remind once."""
    now = utcnow()
    return _went_out(send_all(planning.review_requests(now), now=now))
