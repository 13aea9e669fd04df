"""Booking and reading notification rows inside a service test's request context."""

from __future__ import annotations

from sqlalchemy import select

from app.bookings import lifecycle
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from app.jobs.outbox import relay
from app.models.booking import Booking
from app.models.outbox import Notification
from app.models.station import Station
from tests.bookings.conftest import booking_request

STAFF = Actor.system("test staff")


def station(kitchen) -> Station:
    return db.session.get(Station, kitchen.station_id)


def booking(booking_id: int) -> Booking:
    return db.session.get(Booking, booking_id)


def book(kitchen, **overrides) -> int:
    """Create a booking as the public site does, commit, relay (jobs run inline); its id."""
    created = create_booking(station(kitchen), booking_request(**overrides), actor=Actor.customer("web"), source="api")
    db.session.commit()
    booking_id = created.id
    relay()
    return booking_id


def change(booking_id: int, action, *args, **kwargs) -> None:
    """Apply a lifecycle change to the booking, commit, relay."""
    action(booking(booking_id), *args, **kwargs)
    db.session.commit()
    relay()


def confirm(booking_id: int) -> None:
    b = booking(booking_id)
    change(booking_id, lifecycle.record_payment, STAFF, amount_cents=b.deposit_cents, method="cash")


def rows(booking_id: int | None = None, **where) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if booking_id is not None:
        stmt = stmt.where(Notification.booking_id == booking_id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def summary(booking_id: int, **where) -> set[tuple[str, str, str, str]]:
    """{(kind, channel, role, status)} of a booking's rows."""
    return {(n.kind, n.channel, n.key.rsplit(":", 1)[1], n.status) for n in rows(booking_id, **where)}


CONSENT_BOTH = {
    "email": True,
    "email_text": "Email me offers and review requests.",
    "sms": True,
    "sms_text": "Text me offers and review requests. Reply STOP to stop.",
}


def book_quietly(kitchen, **overrides) -> int:
    """Create and commit a booking without relaying: its jobs are left for the test to run."""
    created = create_booking(station(kitchen), booking_request(**overrides), actor=Actor.customer("web"), source="api")
    db.session.commit()
    return created.id


def event_id(booking_id: int, kind: str) -> int:
    from app.models.booking import BookingEvent

    return db.session.scalar(
        select(BookingEvent.id).where(BookingEvent.booking_id == booking_id, BookingEvent.kind == kind)
    )


def complete_at(booking_id: int, when) -> None:
    """Confirm (deposit in cash) if needed and mark the party completed at `when`."""
    import time_machine

    if booking(booking_id).status == "pending_deposit":
        confirm(booking_id)
    with time_machine.travel(when, tick=False):
        change(booking_id, lambda b: lifecycle.complete(b, STAFF))
