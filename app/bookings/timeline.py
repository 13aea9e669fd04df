"""Who is acting, and the timeline entry (plus audit entry) every change writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app import audit
from app.extensions import db
from app.jobs.outbox import emit
from app.models.booking import Booking, BookingEvent

# Timeline entries that customers, chefs or staff are told about (app.notifications).
ANNOUNCED = frozenset(
    {
        "created",
        "confirmed",
        "cancelled",
        "expired",
        "rescheduled",
        "chef_assigned",
        "completed",
        "guests_changed",
    }
)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str

    @classmethod
    def user(cls, user) -> Actor:
        return cls(user.id, user.name)

    @classmethod
    def customer(cls, channel: str = "web") -> Actor:
        return cls(None, f"customer ({channel})")

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(None, what)


def log_event(
    booking: Booking,
    kind: str,
    actor: Actor,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> BookingEvent:
    """Add a timeline entry and the matching audit entry to the session."""
    event = BookingEvent(
        station_id=booking.station_id,
        booking=booking,
        actor_id=actor.user_id,
        actor_label=actor.label,
        kind=kind,
        before=before,
        after=after,
        note=note,
    )
    db.session.add(event)
    # A paid balance gets a receipt; a paid deposit is announced by "confirmed".
    if kind in ANNOUNCED or (kind == "payment_recorded" and (after or {}).get("kind") == "balance"):
        db.session.flush()  # the event id makes the outbox key unique per occurrence
        emit(
            "notifications.booking_event",
            key=f"booking-event:{event.id}",
            station_id=booking.station_id,
            booking_id=booking.id,
            kind=kind,
            event_id=event.id,
        )
    if actor.user_id is None and actor.label.startswith("customer"):
        # No user to name: the audit log says who it was, as the timeline does.
        after = {**(after or {}), "by": actor.label}
    audit.record(
        f"booking.{kind}",
        booking,
        entity_type="Booking",
        station_id=booking.station_id,
        before=before,
        after=after,
        actor_id=actor.user_id,
    )
    return event
