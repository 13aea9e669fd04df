"""The booking lifecycle: legal transitions, reschedule, chef, payments, notes.

pending_deposit -> confirmed -> completed; cancelled (with reason, who, refund
eligibility), expired (deposit deadline passed), no_show. Anything else is refused
with a message saying why.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from app.availability.services import chefs_free_for
from app.bookings.services import claim_slot
from app.bookings.timeline import Actor, log_event
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus, new_public_token
from app.models.chef import Chef
from app.models.payment import MANUAL_METHODS, Payment
from app.models.station import Station

S = BookingStatus
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_DEPOSIT: {S.CONFIRMED, S.CANCELLED, S.EXPIRED},
    S.CONFIRMED: {S.COMPLETED, S.CANCELLED, S.NO_SHOW},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
    S.NO_SHOW: set(),
}
LABELS = {
    S.PENDING_DEPOSIT: "awaiting deposit",
    S.CONFIRMED: "confirmed",
    S.COMPLETED: "completed",
    S.CANCELLED: "cancelled",
    S.EXPIRED: "expired",
    S.NO_SHOW: "no-show",
}


class IllegalTransition(Conflict):
    code = "illegal_transition"


def can_transition(booking: Booking, to: str) -> bool:
    return to in TRANSITIONS[S(booking.status)]


def _move(booking: Booking, to: S, actor: Actor, *, note: str = "", **extra) -> None:
    if not can_transition(booking, to):
        allowed = ", ".join(LABELS[s] for s in sorted(TRANSITIONS[S(booking.status)])) or "nothing"
        raise IllegalTransition(
            f"A booking that is {LABELS[S(booking.status)]} cannot become {LABELS[to]} (it can become: {allowed})."
        )
    before = {"status": booking.status}
    booking.status = to.value
    log_event(booking, to.value, actor, before=before, after={"status": to.value, **extra}, note=note)


def confirm(booking: Booking, actor: Actor, *, now: datetime | None = None) -> None:
    _move(booking, S.CONFIRMED, actor)
    booking.confirmed_at = now or utcnow()


def _after_start(booking: Booking, now: datetime, what: str) -> None:
    if now < booking.starts_at:
        raise IllegalTransition(f"A booking can be marked {what} only once the event has started.")


def complete(booking: Booking, actor: Actor, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    _after_start(booking, now, "completed")
    _move(booking, S.COMPLETED, actor)
    booking.completed_at = now


def mark_no_show(booking: Booking, actor: Actor, *, now: datetime | None = None, note: str = "") -> None:
    _after_start(booking, now or utcnow(), "a no-show")
    _move(booking, S.NO_SHOW, actor, note=note)


def refund_eligible(station: Station, booking: Booking, now: datetime) -> bool:
    """Deposit refundable when cancelled at least N days before the event (policy)."""
    return booking.starts_at - now >= timedelta(days=station.settings.refund_cutoff_days)


def cancel(station: Station, booking: Booking, actor: Actor, *, reason: str, now: datetime | None = None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the booking is cancelled.", fields={"reason": "Required."})
    now = now or utcnow()
    eligible = refund_eligible(station, booking, now)
    # The chef is kept in the entry: their calendar feed shows the party as cancelled.
    _move(booking, S.CANCELLED, actor, note=reason, refund_eligible=eligible, chef_id=booking.chef_id)
    booking.cancelled_at = now
    booking.cancelled_by_id = actor.user_id
    booking.cancel_reason = reason
    booking.refund_eligible = eligible
    booking.chef_id = None


def expire(booking: Booking, *, now: datetime | None = None) -> bool:
    """Expire an unpaid booking past its deposit deadline; False when it is not due."""
    now = now or utcnow()
    if booking.status != S.PENDING_DEPOSIT or booking.deposit_due_at is None or booking.deposit_due_at > now:
        return False
    _move(booking, S.EXPIRED, Actor.system("deposit deadline"))
    booking.chef_id = None
    return True


def reschedule_policy(station: Station, booking: Booking, now: datetime) -> str:
    """'' when the move is free under the policy, else why it is not."""
    settings = station.settings
    if booking.reschedule_count >= settings.free_reschedules:
        return f"The free reschedule{'s' if settings.free_reschedules != 1 else ''} already used."
    if booking.starts_at - now < timedelta(hours=settings.reschedule_notice_hours):
        return f"Less than {settings.reschedule_notice_hours} hours' notice."
    return ""


def reschedule(
    station: Station,
    booking: Booking,
    actor: Actor,
    *,
    new_date: date,
    new_slot: str,
    now: datetime | None = None,
    note: str = "",
) -> str:
    """Move the booking to a slot with capacity; returns the policy remark ('' if free)."""
    now = now or utcnow()
    if booking.status not in (S.PENDING_DEPOSIT, S.CONFIRMED):
        raise IllegalTransition(f"A booking that is {LABELS[S(booking.status)]} cannot be rescheduled.")
    if (new_date, new_slot) == (booking.event_date, booking.slot_time):
        raise ValidationFailed("That is the booking's current slot.")
    remark = reschedule_policy(station, booking, now)
    starts_at = claim_slot(station, new_date, new_slot, now=now, excluding=booking.id)
    before = {
        "event_date": booking.event_date.isoformat(),
        "slot": booking.slot_time,
        "chef_id": booking.chef_id,
    }
    # Asked before the move: once moved (and autoflushed), the booking itself would make its chef look busy there.
    chef_free = booking.chef_id is None or booking.chef_id in {
        c.id for c in chefs_free_for(station, new_date, new_slot)
    }
    booking.event_date, booking.slot_time, booking.starts_at = new_date, new_slot, starts_at
    booking.reschedule_count += 1
    if not chef_free:
        booking.chef_id = None  # the chef does not work the new slot: assign again
    after = {"event_date": new_date.isoformat(), "slot": new_slot, "chef_id": booking.chef_id}
    log_event(
        booking,
        "rescheduled",
        actor,
        before=before,
        after=after,
        note="; ".join(filter(None, [note, remark and f"Outside the free policy: {remark}"])),
    )
    return remark


def assign_chef(station: Station, booking: Booking, chef: Chef | None, actor: Actor) -> None:
    """Assign (or unassign with None) a chef who works the slot and is free in it."""
    if booking.status not in (S.PENDING_DEPOSIT, S.CONFIRMED):
        raise IllegalTransition(f"A booking that is {LABELS[S(booking.status)]} cannot get a chef.")
    if chef is not None:
        if chef.station_id != booking.station_id:
            raise ValidationFailed("That chef belongs to another station.")
        free = {c.id for c in chefs_free_for(station, booking.event_date, booking.slot_time)}
        if chef.id != booking.chef_id and chef.id not in free:
            raise Conflict(f"{chef.name} is not free on {booking.event_date:%a %d %b} at {booking.slot_time}.")
    before = {"chef_id": booking.chef_id}
    booking.chef_id = chef.id if chef else None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another booking took the chef for this slot between our check and the write.
        booking.chef_id = before["chef_id"]
        raise Conflict("That chef was just assigned to another party in this slot.") from None
    log_event(
        booking,
        "chef_assigned",
        actor,
        before=before,
        after={"chef_id": booking.chef_id, "chef": chef.name if chef else None},
    )


def record_payment(
    booking: Booking,
    actor: Actor,
    *,
    amount_cents: int,
    method: str,
    kind: str = "deposit",
    note: str = "",
    now: datetime | None = None,
) -> Payment:
    """Record money received outside Stripe; a paid deposit confirms the booking."""
    if method not in MANUAL_METHODS:
        raise ValidationFailed("Choose how it was paid.", fields={"method": ", ".join(MANUAL_METHODS)})
    if kind not in ("deposit", "balance", "other"):
        raise ValidationFailed("Unknown payment kind.", fields={"kind": "deposit, balance or other"})
    if amount_cents <= 0:
        raise ValidationFailed("Enter an amount above zero.", fields={"amount": "Above zero."})
    if booking.status in (S.CANCELLED, S.EXPIRED):
        raise IllegalTransition("This booking is closed; record a refund instead.")
    if amount_cents > booking.balance_cents:
        raise ValidationFailed(
            "That is more than the balance due.",
            fields={"amount": f"At most {booking.balance_cents / 100:.2f}"},
        )
    payment = Payment(
        station_id=booking.station_id,
        booking_id=booking.id,
        kind=kind,
        method=method,
        amount_cents=amount_cents,
        currency=booking.currency,
        note=note.strip(),
        recorded_by_id=actor.user_id,
    )
    db.session.add(payment)
    before = {"paid_cents": booking.paid_cents}
    booking.paid_cents += amount_cents
    log_event(
        booking,
        "payment_recorded",
        actor,
        before=before,
        after={"paid_cents": booking.paid_cents, "method": method, "kind": kind},
        note=note,
    )
    if booking.status == S.PENDING_DEPOSIT and booking.paid_cents >= booking.deposit_cents:
        confirm(booking, actor, now=now)
    return payment


def reissue_manage_token(booking: Booking, actor: Actor) -> str:
    """A new manage link for the customer (/b/<token>); the old one stops working at once."""
    booking.manage_token = new_public_token()
    log_event(booking, "manage_link_reissued", actor, note="The customer's manage link was re-issued.")
    return booking.manage_token


def add_note(booking: Booking, actor: Actor, text: str) -> None:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write something first.", fields={"note": "Empty."})
    log_event(booking, "note", actor, note=text[:4000])
