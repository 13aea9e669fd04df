"""Notification jobs (being written: see the notifications work in progress)."""

from __future__ import annotations

from app.jobs.registry import job


@job("notifications.booking_event", queue="notifications")
def booking_event(booking_id: int, kind: str, event_id: int | None = None) -> None:
    """Create and send the notifications a booking event calls for."""
    raise NotImplementedError("notifications are not wired yet")


@job("notifications.deposit_reminders", queue="periodic", retries=0)
def deposit_reminders() -> int:
    raise NotImplementedError


@job("notifications.event_reminders", queue="periodic", retries=0)
def event_reminders() -> int:
    raise NotImplementedError


@job("notifications.review_requests", queue="periodic", retries=0)
def review_requests() -> int:
    raise NotImplementedError
