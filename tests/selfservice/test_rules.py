"""The customer's rule book (app.selfservice.rules): each action, each policy edge, each side effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bookings import lifecycle
from app.bookings.services import SlotFull, seats_taken
from app.errors import DomainError
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.booking import Booking, BookingEvent
from app.models.conversation import Message
from app.models.outbox import OutboxMessage
from app.selfservice import rules
from tests.bookings.conftest import future_day
from tests.selfservice.conftest import make_party

MINUTE = timedelta(minutes=1)


@pytest.fixture
def here(app, station, party):
    """(station, booking) inside a request context, as the page and the API call the rules."""
    with app.test_request_context():
        yield db.session.merge(station), db.session.get(Booking, party.id)


def _refused(call, code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert caught.value.message  # in words, for the customer
    return caught.value


def test_reschedule_moves_once_for_free_and_then_names_the_rule(here):
    station, booking = here
    old_day, new_day = booking.event_date, future_day(25)
    rules.reschedule(station, booking, new_date=new_day, new_slot="15:00", channel="manage page")
    assert (booking.event_date, booking.slot_time, booking.reschedule_count) == (new_day, "15:00", 1)
    assert seats_taken(station.id, old_day, "18:00") == 0 and seats_taken(station.id, new_day, "15:00") == 1
    event = db.session.scalar(select(BookingEvent).where(BookingEvent.kind == "rescheduled"))
    assert event.actor_label == "customer (manage page)" and event.actor_id is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "booking.rescheduled"))
    assert entry.actor_id is None and entry.after["by"] == "customer (manage page)"
    jobs = db.session.scalars(select(OutboxMessage.payload)).all()
    assert any(job.get("kind") == "rescheduled" for job in jobs)  # the customer, station and chef are told
    # The last free reschedule is used: the next is refused, nothing moves.
    _refused(
        lambda: rules.reschedule(station, booking, new_date=future_day(26), new_slot="12:00", channel="API"),
        "free_reschedules_used",
    )
    assert (booking.event_date, booking.slot_time) == (new_day, "15:00")


@pytest.mark.parametrize(("margin", "allowed"), [(MINUTE, True), (-MINUTE, False)])
def test_reschedule_notice_just_inside_and_just_outside(here, margin, allowed):
    station, booking = here
    now = booking.starts_at - timedelta(hours=station.settings.reschedule_notice_hours) - margin
    move = lambda: rules.reschedule(  # noqa: E731
        station, booking, new_date=future_day(25), new_slot="15:00", channel="API", now=now
    )
    if allowed:
        move()
        assert booking.event_date == future_day(25)
    else:
        _refused(move, "reschedule_notice")


def test_a_slot_taken_meanwhile_is_refused_and_nothing_moves(app, here):
    station, booking = here
    make_party(station, days=25, slot="15:00")  # two other parties fill the slot (capacity 2)
    make_party(station, days=25, slot="15:00")
    with pytest.raises(SlotFull) as caught:
        rules.reschedule(station, booking, new_date=future_day(25), new_slot="15:00", channel="API")
    assert caught.value.code == "slot_full" and "just taken" in caught.value.message
    db.session.rollback()  # as the request does on a refusal
    assert db.session.get(Booking, booking.id).reschedule_count == 0


@pytest.mark.parametrize(("margin", "allowed"), [(MINUTE, True), (-MINUTE, False)])
def test_guest_count_deadline_just_inside_and_just_outside(here, margin, allowed):
    station, booking = here
    now = booking.starts_at - timedelta(hours=station.settings.guest_count_final_hours) - margin
    total_before = booking.total_cents
    change = lambda: rules.change_guests(station, booking, adults=14, children=2, channel="API", now=now)  # noqa: E731
    if allowed:
        change()
        assert booking.adults == 14 and booking.total_cents == total_before + 4 * station.settings.adult_price_cents
        assert booking.balance_cents == booking.total_cents - booking.paid_cents
        event = db.session.scalar(select(BookingEvent).where(BookingEvent.kind == "guests_changed"))
        assert event.before["adults"] == 10 and event.after["adults"] == 14
    else:
        _refused(change, "guest_count_final")
        assert booking.adults == 10


def test_the_same_guest_count_is_not_a_change(here):
    station, booking = here
    _refused(lambda: rules.change_guests(station, booking, adults=10, children=2, channel="API"), "unchanged")


@pytest.mark.parametrize(("margin", "refunded"), [(MINUTE, True), (-MINUTE, False)])
def test_refund_cutoff_just_inside_and_just_outside(here, margin, refunded):
    station, booking = here
    now = booking.starts_at - timedelta(days=station.settings.refund_cutoff_days) - margin
    preview = rules.refund_preview(station, booking, now)
    assert preview.amount_cents == (booking.deposit_cents if refunded else 0)
    assert ("will be refunded" in preview.text) is refunded
    rules.cancel(station, booking, channel="manage page", now=now)
    assert booking.status == "cancelled" and booking.refund_eligible is refunded
    owed = db.session.scalar(select(BookingEvent).where(BookingEvent.kind == "refund_owed"))
    assert (owed is not None) is refunded  # no Stripe key: the refund is recorded for staff to pay back


def test_cancel_frees_the_slot_exactly_once_and_a_second_cancel_is_refused(here):
    station, booking = here
    assert seats_taken(station.id, booking.event_date, booking.slot_time) == 1
    rules.cancel(station, booking, channel="API", reason="Rain")
    assert seats_taken(station.id, booking.event_date, booking.slot_time) == 0
    assert booking.cancel_reason == "Cancelled by the customer. Rain"
    _refused(lambda: rules.cancel(station, booking, channel="API"), "booking_closed")
    assert seats_taken(station.id, booking.event_date, booking.slot_time) == 0
    allowed = {item.action: item.allowed for item in rules.allowed_actions(station, booking)}
    assert allowed == {
        "reschedule": False,
        "change_guests": False,
        "cancel": False,
        "pay_balance": False,
        "message": True,
        "add_to_calendar": True,
    }


def test_a_message_lands_in_the_customers_inbox_conversation_once(here):
    station, booking = here
    assert rules.message_station(station, booking, body="Can we start at 6:30?", channel="manage page")
    assert not rules.message_station(station, booking, body="Can we start at 6:30?", channel="manage page")
    message = db.session.scalar(select(Message))
    assert message.body == "Can we start at 6:30?" and message.direction == "in" and message.channel == "email"
    assert message.conversation.customer_id == booking.customer_id
    _refused(lambda: rules.message_station(station, booking, body="  ", channel="API"), "validation_failed")


def test_a_reissued_token_replaces_the_old_one(here):
    _, booking = here
    old = booking.manage_token
    new = lifecycle.reissue_manage_token(booking, rules.customer("test"))
    db.session.flush()
    assert new != old and rules.booking_for_token(old) is None
    assert rules.booking_for_token(new)[0].id == booking.id
    assert rules.booking_for_token("../../etc/passwd") is None
