"""The lifecycle: legal and illegal transitions, cancel, expire, reschedule, chef, payments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.bookings import lifecycle
from app.bookings.services import SlotFull, create_booking
from app.bookings.timeline import Actor
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.booking import Booking, BookingEvent
from tests.bookings.conftest import booking_request, future_day

STAFF = Actor(None, "tester")


def book(station, **overrides):
    return create_booking(station, booking_request(**overrides), actor=Actor.customer(), source="api")


def kinds(booking):
    rows = db.session.scalars(
        select(BookingEvent.kind).where(BookingEvent.booking_id == booking.id).order_by(BookingEvent.id)
    )
    return list(rows)


def test_confirm_then_complete_after_the_event(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)
    lifecycle.confirm(booking, STAFF)
    with pytest.raises(lifecycle.IllegalTransition, match="once the event has started"):
        lifecycle.complete(booking, STAFF)
    lifecycle.complete(booking, STAFF, now=booking.starts_at + timedelta(hours=3))
    assert booking.status == "completed"
    assert kinds(booking) == ["created", "confirmed", "completed"]


@pytest.mark.parametrize(
    "steps, refused",
    [
        (["cancel"], "confirm"),
        (["confirm"], "expire_transition"),
        ([], "complete"),
        ([], "no_show"),
    ],
)
def test_illegal_transitions_are_refused_with_a_message(kitchen_ctx, steps, refused):
    station, _ = kitchen_ctx
    booking = book(station)
    late = booking.starts_at + timedelta(hours=1)
    for step in steps:
        if step == "cancel":
            lifecycle.cancel(station, booking, STAFF, reason="changed plans")
        else:
            lifecycle.confirm(booking, STAFF)
    before = booking.status
    with pytest.raises(Conflict) as error:
        if refused == "confirm":
            lifecycle.confirm(booking, STAFF)
        elif refused == "complete":
            lifecycle.complete(booking, STAFF, now=late)
        elif refused == "no_show":
            lifecycle.mark_no_show(booking, STAFF, now=late)
        else:
            lifecycle._move(booking, lifecycle.S.EXPIRED, STAFF)
    assert "cannot become" in error.value.message
    assert booking.status == before


def test_cancel_needs_a_reason_and_applies_the_refund_policy(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)  # 14 days ahead: refundable (7+ days)
    with pytest.raises(ValidationFailed):
        lifecycle.cancel(station, booking, STAFF, reason="  ")
    lifecycle.cancel(station, booking, STAFF, reason="moved away")
    assert booking.refund_eligible is True
    late = book(
        station,
        event_date=future_day(3).isoformat(),
        customer={"name": "L", "email": "l@example.com", "phone": "4045550199"},
    )
    lifecycle.cancel(station, late, STAFF, reason="sick")
    assert late.refund_eligible is False


def test_cancel_frees_the_slot(kitchen_ctx):
    station, _ = kitchen_ctx
    first = book(station)
    book(station, customer={"name": "B", "email": "b@example.com", "phone": "4045550143"})
    lifecycle.cancel(station, first, STAFF, reason="changed plans")
    third = book(station, customer={"name": "C", "email": "c@example.com", "phone": "4045550144"})
    assert third.status == "pending_deposit"


def test_expire_only_after_the_deadline(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)
    assert lifecycle.expire(booking, now=booking.deposit_due_at - timedelta(minutes=1)) is False
    assert lifecycle.expire(booking, now=booking.deposit_due_at) is True
    assert booking.status == "expired"


def test_reschedule_keeps_history_and_respects_capacity(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)
    other_day = future_day(21)
    book(station, event_date=other_day.isoformat(), customer={"name": "B", "email": "b@x.com", "phone": "4045550143"})
    book(station, event_date=other_day.isoformat(), customer={"name": "C", "email": "c@x.com", "phone": "4045550144"})
    with pytest.raises(SlotFull):
        lifecycle.reschedule(station, booking, STAFF, new_date=other_day, new_slot="18:00")
    remark = lifecycle.reschedule(station, booking, STAFF, new_date=other_day, new_slot="15:00")
    assert remark == ""
    assert (booking.event_date, booking.slot_time) == (other_day, "15:00")
    event = db.session.scalars(select(BookingEvent).where(BookingEvent.kind == "rescheduled")).one()
    assert event.before["slot"] == "18:00" and event.after["slot"] == "15:00"
    # The second move is outside the free policy: allowed for staff, and said so.
    remark = lifecycle.reschedule(station, booking, STAFF, new_date=other_day, new_slot="12:00")
    assert "free reschedule" in remark


def test_assign_chef_checks_availability_and_the_database_refuses_doubles(kitchen_ctx):
    station, (kenji, hana) = kitchen_ctx
    first = book(station)
    second = book(station, customer={"name": "B", "email": "b@x.com", "phone": "4045550143"})
    lifecycle.assign_chef(station, first, kenji, STAFF)
    with pytest.raises(Conflict, match="not free"):
        lifecycle.assign_chef(station, second, kenji, STAFF)
    lifecycle.assign_chef(station, second, hana, STAFF)
    # Even bypassing the service, the unique index stops a chef in two parties of one slot.
    second.chef_id = kenji.id
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_manual_deposit_confirms_and_balance_follows(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)
    with pytest.raises(ValidationFailed):
        lifecycle.record_payment(booking, STAFF, amount_cents=0, method="cash")
    with pytest.raises(ValidationFailed):
        lifecycle.record_payment(booking, STAFF, amount_cents=100, method="bitcoin")
    with pytest.raises(ValidationFailed, match="more than the balance"):
        lifecycle.record_payment(booking, STAFF, amount_cents=booking.total_cents + 1, method="cash")
    lifecycle.record_payment(booking, STAFF, amount_cents=10000, method="venmo")
    assert booking.status == "confirmed"
    assert booking.balance_cents == 51000
    assert kinds(booking)[-2:] == ["payment_recorded", "confirmed"]


def test_notes_go_on_the_timeline(kitchen_ctx):
    station, _ = kitchen_ctx
    booking = book(station)
    lifecycle.add_note(booking, STAFF, "Gate code 1234")
    assert db.session.get(Booking, booking.id).events[0].note == "Gate code 1234"
