"""What a customer may do with their own booking, under the station's policies: the one rule book.

The manage page (/b/<token>) and the JSON API (/api/v1/bookings/<token>/...) both call
these functions, so a rule holds at every door. Each refusal is a DomainError whose
`code` names the rule (`reschedule_notice`, `free_reschedules_used`, `guest_count_final`,
`booking_closed`, `event_started`, `slot_full`...) and whose message says it in words.

Every change locks the booking row first (a double submit waits, then sees the change
and is refused or finds nothing to do), goes through the bookings services (the slot's
lock row for capacity), writes the timeline and audit entry as "customer (...)", and
is announced through the outbox (app.notifications: the customer's confirmation, the
station's managers and the chef). Services flush, never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.bookings import lifecycle
from app.bookings.schemas import Party
from app.bookings.services import SlotFull, price, zip_errors_named
from app.bookings.timeline import Actor, log_event
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.inbox.inbound import Inbound, receive
from app.integrations import stripe_enabled
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.payment import CARD_METHOD
from app.models.station import Station
from app.payments import services as payments
from app.pricing import format_money

OPEN = (BookingStatus.PENDING_DEPOSIT.value, BookingStatus.CONFIRMED.value)
ACTIONS = ("reschedule", "change_guests", "cancel", "pay_balance", "message", "add_to_calendar")
CUSTOMER_CANCEL_REASON = "Cancelled by the customer."
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class PolicyRefusal(Conflict):
    """The station's policy does not allow it (409); `code` names the rule."""


@dataclass(frozen=True)
class Allowed:
    action: str
    allowed: bool
    reason: str = ""  # why not, in words
    rule: str = ""  # the rule's code


@dataclass(frozen=True)
class RefundPreview:
    amount_cents: int
    eligible: bool  # the deposit is refundable under the cutoff
    text: str


def customer(channel: str) -> Actor:
    return Actor.customer(channel)


def booking_for_token(token: str) -> tuple[Booking, Station] | None:
    """The booking whose manage link this is, or None (also for anything that cannot be a token)."""
    if not (16 <= len(token) <= 64 and set(token) <= TOKEN_CHARS):
        return None
    booking = db.session.scalar(select(Booking).where(Booking.manage_token == token))
    if booking is None:
        return None
    return booking, db.session.get(Station, booking.station_id)


# -- what is allowed now --------------------------------------------------------------------


def _refusal(station: Station, booking: Booking, action: str, now: datetime) -> tuple[str, str]:
    """(rule code, message) when `action` is not allowed now, else ("", "")."""
    settings = station.settings
    if action in ("message", "add_to_calendar"):
        return "", ""
    if booking.status not in OPEN:
        label = lifecycle.LABELS[BookingStatus(booking.status)]
        return "booking_closed", f"This booking is {label}: it can no longer be changed."
    if now >= booking.starts_at:
        return "event_started", "The event has started: it can no longer be changed."
    if action == "reschedule":
        if booking.reschedule_count >= settings.free_reschedules:
            used = "The free reschedule is" if settings.free_reschedules == 1 else "The free reschedules are"
            return "free_reschedules_used", f"{used} used up: please contact {station.name} to move it again."
        if booking.starts_at - now < timedelta(hours=settings.reschedule_notice_hours):
            return "reschedule_notice", (
                f"A party can be moved up to {settings.reschedule_notice_hours} hours before it starts; "
                f"please contact {station.name}."
            )
    if action == "change_guests" and booking.starts_at - now < timedelta(hours=settings.guest_count_final_hours):
        return "guest_count_final", (
            f"The guest count became final {settings.guest_count_final_hours} hours before the event; "
            f"please contact {station.name}."
        )
    if action == "pay_balance" and booking.balance_cents <= 0:
        return "nothing_due", "Nothing is left to pay."
    if action == "pay_balance" and booking.status != BookingStatus.CONFIRMED.value:
        return "deposit_first", "The deposit comes first: the balance can be paid once the booking is confirmed."
    return "", ""


def allowed_actions(station: Station, booking: Booking, now: datetime | None = None) -> list[Allowed]:
    now = now or utcnow()
    result = []
    for action in ACTIONS:
        rule, reason = _refusal(station, booking, action, now)
        result.append(Allowed(action, not rule, reason, rule))
    return result


def _require(station: Station, booking: Booking, action: str, now: datetime) -> None:
    rule, reason = _refusal(station, booking, action, now)
    if rule:
        raise PolicyRefusal(reason, code=rule)


def _locked(booking: Booking) -> Booking:
    """The booking row locked for this transaction, fresh: a second submit waits for the first."""
    return payments.lock_booking(booking.id) or booking


def balance_due_at(station: Station, booking: Booking) -> date:
    """The station-local day the balance is due: `balance_due_days` before the event."""
    return booking.event_date - timedelta(days=station.settings.balance_due_days)


# -- reschedule -----------------------------------------------------------------------------


def reschedule(
    station: Station, booking: Booking, *, new_date: date, new_slot: str, channel: str, now: datetime | None = None
) -> Booking:
    """Move to a slot with room, within the free reschedules and the notice period."""
    now = now or utcnow()
    booking = _locked(booking)
    _require(station, booking, "reschedule", now)
    try:
        lifecycle.reschedule(
            station, booking, customer(channel), new_date=new_date, new_slot=new_slot, now=now, note="By the customer."
        )
    except SlotFull as error:
        raise SlotFull(f"{error.message} Someone may have just taken it.", code="slot_full") from None
    return booking


# -- guests ---------------------------------------------------------------------------------


def change_guests(
    station: Station, booking: Booking, *, adults: int, children: int, channel: str, now: datetime | None = None
) -> Booking:
    """A new guest count until the guest-count deadline, re-priced by the pricing engine."""
    now = now or utcnow()
    booking = _locked(booking)
    _require(station, booking, "change_guests", now)
    if (adults, children) == (booking.adults, booking.children):
        raise ValidationFailed("That is the guest count already.", fields={"adults": "Unchanged."}, code="unchanged")
    party = Party.model_validate(
        {
            "adults": adults,
            "children": children,
            "toddlers": booking.toddlers,
            "upgrades": booking.upgrades or {},
            "add_ons": booking.add_ons or {},
        }
    )
    with zip_errors_named():
        priced = price(station, party, zip_code=booking.zip_code, discount_cents=booking.quote.get("discount_cents", 0))
    before = {"adults": booking.adults, "children": booking.children, "total_cents": booking.total_cents}
    booking.adults, booking.children = adults, children
    booking.quote, booking.total_cents = priced.as_dict(), priced.total_cents
    booking.distance_miles = priced.distance_miles
    after = {"adults": adults, "children": children, "total_cents": booking.total_cents}
    log_event(booking, "guests_changed", customer(channel), before=before, after=after, note="By the customer.")
    return booking


# -- cancel ---------------------------------------------------------------------------------


def refund_preview(station: Station, booking: Booking, now: datetime | None = None) -> RefundPreview:
    """What cancelling now gives back: a balance paid ahead always; the deposit only before the cutoff."""
    now = now or utcnow()
    eligible = lifecycle.refund_eligible(station, booking, now)
    paid = max(booking.paid_cents - booking.refunded_cents, 0)
    deposit_part = min(paid, booking.deposit_cents)
    amount = paid - deposit_part + (deposit_part if eligible else 0)
    days = station.settings.refund_cutoff_days
    money = format_money(amount, booking.currency, station.settings.locale)
    if paid == 0:
        text = "Nothing has been paid, so there is nothing to refund."
    elif eligible:
        text = f"You cancel {days} or more days before the event: {money} will be refunded."
    elif amount:
        text = f"You cancel less than {days} days before the event: the deposit is kept; {money} will be refunded."
    else:
        text = f"You cancel less than {days} days before the event: the deposit is not refundable."
    return RefundPreview(amount, eligible, text)


def cancel(
    station: Station, booking: Booking, *, channel: str, reason: str = "", now: datetime | None = None
) -> RefundPreview:
    """Cancel, free the slot, and refund what the policy gives back (through Stripe when it can)."""
    now = now or utcnow()
    booking = _locked(booking)
    _require(station, booking, "cancel", now)
    preview = refund_preview(station, booking, now)
    actor = customer(channel)
    chef_id = booking.chef_id
    reason = " ".join((reason or "").split())[:500]
    lifecycle.cancel(station, booking, actor, reason=f"{CUSTOMER_CANCEL_REASON} {reason}".strip(), now=now)
    if chef_id is not None:
        # The chef hears of it through the usual "unassigned" message.
        log_event(booking, "chef_assigned", actor, before={"chef_id": chef_id}, after={"chef_id": None, "chef": None})
    if preview.amount_cents > 0:
        _refund(booking, actor, preview.amount_cents)
    return preview


def _refund(booking: Booking, actor: Actor, amount_cents: int) -> None:
    """Back to the card through Stripe as far as a card payment covers it; the rest is noted for staff."""
    limits = payments.refund_limits(booking)
    by_card = min(amount_cents, limits.card_refundable_cents) if stripe_enabled() else 0
    if by_card > 0:
        payments.refund(booking, actor, amount_cents=by_card, method=CARD_METHOD, reason=CUSTOMER_CANCEL_REASON)
    owed = amount_cents - by_card
    if owed > 0:
        money = format_money(owed, booking.currency)
        log_event(
            booking,
            "refund_owed",
            actor,
            after={"refund_owed_cents": owed},
            note=f"{money} is owed back to the customer: pay it back by hand and record the refund.",
        )


# -- message and link -------------------------------------------------------------------------


def message_station(station: Station, booking: Booking, *, body: str, channel: str) -> bool:
    """The customer's message, into their inbox conversation (email, or SMS without an email).

    The same text sent twice (a double submit) is stored once. True when it was new.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write your message first.", fields={"body": "Required."})
    if len(body) > 4000:
        raise ValidationFailed("At most 4000 characters.", fields={"body": "At most 4000 characters."})
    fingerprint = hashlib.sha256(f"{booking.id}:{body}".encode()).hexdigest()[:40]
    via, contact = ("email", booking.notify_email) if booking.notify_email else ("sms", booking.notify_phone)
    if not contact:
        raise ValidationFailed(f"We have no email or phone for this booking: please call {station.name}.")
    inbound = Inbound(
        channel=via,
        contact=contact,
        body=body,
        provider_id=f"manage-{fingerprint}",
        contact_name=booking.customer.name if booking.customer else "",
        subject=f"Booking {booking.reference}",
        email=booking.notify_email,
        phone=booking.notify_phone,
        meta={"via": f"customer ({channel})", "booking_reference": booking.reference},
    )
    _, created = receive(station, inbound)
    if created:
        log_event(booking, "note", customer(channel), note=f"Message to the station: {body[:500]}")
    return created
