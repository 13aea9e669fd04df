"""Notification jobs: one per announced booking event, three periodic checks.

Each takes ids, writes its rows once (unique keys) and sends them at most once (see
app.notifications.sending). The periodic checks also sweep pending rows left behind:
SMS deferred past quiet hours and rows of a job that died before sending them.
"""

from __future__ import annotations

import logging

from app.jobs.registry import TransientError, job
from app.models.base import utcnow
from app.notifications import planning
from app.notifications.sending import send_all, sweep

log = logging.getLogger(__name__)


@job("notifications.booking_event", queue="notifications")
def booking_event(booking_id: int, kind: str, event_id: int | None = None) -> dict[str, int]:
    """Create and send the notifications a booking event calls for."""
    ids = planning.for_booking_event(booking_id, kind, event_id)
    return send_all(ids)  # TransientError -> RQ retries; sent rows are not sent again


def _periodic(ids: list[int], now) -> int:
    try:
        sent = send_all(ids, now=now).get("sent", 0)
    except TransientError as exc:
        # Periodic jobs are not retried by RQ: the rows stay pending for the next sweep.
        log.warning("some notifications will be retried by the next sweep: %s", exc)
        sent = 0
    sweep(now=now)
    return sent


@job("notifications.deposit_reminders", queue="periodic", retries=0)
def deposit_reminders() -> int:
    """Remind unpaid bookings before their deposit deadline."""
    now = utcnow()
    return _periodic(planning.deposit_reminders(now), now)


@job("notifications.event_reminders", queue="periodic", retries=0)
def event_reminders() -> int:
    """Remind confirmed bookings reminder_hours_before (48 h) before the event."""
    now = utcnow()
    return _periodic(planning.event_reminders(now), now)


@job("notifications.review_requests", queue="periodic", retries=0)
def review_requests() -> int:
    """Ask completed parties for a review, and remind once."""
    now = utcnow()
    return _periodic(planning.review_requests(now), now)
