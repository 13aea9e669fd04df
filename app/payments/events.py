"""Stripe webhook events: stored once (the dedupe), then processed by a job.

`store_event` runs in the webhook request: it inserts the event id under a UNIQUE
constraint before anything else and emits `payments.process_stripe_event` in the
same transaction. A second delivery fails the insert and changes nothing.

`process_event` runs in the job: it reloads the stored payload, locks the event row
(one processor at a time) and the booking, and applies the event. Running it again is
a no-op (processed_at), and payments are unique per PaymentIntent besides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.bookings.timeline import log_event
from app.extensions import db
from app.integrations import stripe_enabled
from app.jobs.outbox import emit
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.payment import CARD_METHOD, STRIPE, CheckoutSession, Payment, Refund, RefundStatus
from app.models.station import Station
from app.models.stripe_event import StripeEvent
from app.payments import stripe_client
from app.payments.services import STRIPE_ACTOR, apply_refund_status, lock_booking, record_card_payment

log = logging.getLogger(__name__)

CHECKOUT_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)
REFUND_EVENTS = ("charge.refunded", "refund.created", "refund.updated", "refund.failed")
HANDLED = CHECKOUT_EVENTS + REFUND_EVENTS


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _station_of(obj: dict[str, Any]) -> int | None:
    station_id = _int((obj.get("metadata") or {}).get("station_id"))
    if station_id is None or db.session.get(Station, station_id) is None:
        return None
    return station_id


def store_event(event: dict[str, Any]) -> str:
    """Store a verified event once and emit its job: 'received', or 'duplicate'."""
    obj = (event.get("data") or {}).get("object") or {}
    row = StripeEvent(
        event_id=str(event["id"])[:255],
        type=str(event.get("type", ""))[:100],
        livemode=bool(event.get("livemode")),
        payload=event,
    )
    try:
        # The UNIQUE event id decides: a concurrent delivery waits here for the first
        # transaction and then fails the insert.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    if row.type in HANDLED:
        emit(
            "payments.process_stripe_event",
            key=f"stripe-event:{row.event_id}",
            station_id=_station_of(obj),  # for the Jobs page, when the metadata names one
            event_id=row.event_id,
        )
    else:
        row.processed_at = utcnow()
        row.outcome = "ignored: not an event Teppan handles"
    db.session.commit()
    return "received"


# -- processing (the job) ----------------------------------------------------------------


def process_event(event_id: str) -> str:
    """Apply a stored event once; returns what was done (kept on the row)."""
    row = db.session.scalar(select(StripeEvent).where(StripeEvent.event_id == event_id))
    if row is None or row.processed_at is not None:
        db.session.commit()
        return "skipped"
    event = dict(row.payload)
    db.session.commit()  # no transaction stays open while Stripe is called below
    extra = _prefetch(event)

    row = db.session.scalar(
        select(StripeEvent)
        .where(StripeEvent.event_id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row.processed_at is not None:  # processed by a concurrent run meanwhile
        return "skipped"
    obj = event["data"]["object"]
    handler = HANDLERS.get(row.type)
    outcome = handler(obj, extra) if handler else "ignored"
    row.processed_at = utcnow()
    row.outcome = outcome[:500]
    db.session.commit()
    return outcome


def _prefetch(event: dict[str, Any]) -> list[dict[str, Any]]:
    """charge.refunded without its refunds embedded (API 2022-11-15+): list them."""
    if event.get("type") != "charge.refunded":
        return []
    charge = event["data"]["object"]
    embedded = (charge.get("refunds") or {}).get("data")
    if embedded is not None:
        return list(embedded)
    if not stripe_enabled():
        return []
    import stripe  # on first use (see app.payments.stripe_client)

    try:
        listed = stripe_client.client().v1.refunds.list(params={"charge": charge["id"], "limit": 100})
    except stripe.StripeError as error:
        stripe_client.raise_transient(error)
        raise
    return [refund.to_dict() for refund in listed.data]


# -- checkout sessions ---------------------------------------------------------------------


def _intent_id(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.get("id")


def _booking_for_session(session: dict[str, Any]) -> Booking | None:
    """The booking named in the session's metadata (both ids must agree), locked."""
    metadata = session.get("metadata") or {}
    booking_id = _int(metadata.get("booking_id") or session.get("client_reference_id"))
    station_id = _int(metadata.get("station_id"))
    if booking_id is None:
        local = db.session.scalar(select(CheckoutSession).where(CheckoutSession.stripe_session_id == session.get("id")))
        booking_id, station_id = (local.booking_id, local.station_id) if local else (None, None)
    booking = lock_booking(booking_id) if booking_id is not None else None
    if booking is None or (station_id is not None and booking.station_id != station_id):
        return None
    return booking


def _mark_session(session: dict[str, Any], status: str) -> None:
    local = db.session.scalar(select(CheckoutSession).where(CheckoutSession.stripe_session_id == session.get("id")))
    if local is not None and local.status != "complete":
        local.status = status
        local.payment_intent = _intent_id(session.get("payment_intent")) or local.payment_intent


def _session_paid(session: dict[str, Any], _extra) -> str:
    booking = _booking_for_session(session)
    if booking is None:
        return "ignored: no such booking"
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        _mark_session(session, "complete")
        log_event(booking, "note", STRIPE_ACTOR, note="Deposit payment started; waiting for it to clear.")
        return "waiting: payment not cleared yet"
    intent = _intent_id(session.get("payment_intent"))
    if not intent:
        return "ignored: no payment intent"
    _mark_session(session, "complete")
    payment = record_card_payment(
        booking,
        amount_cents=int(session.get("amount_total") or 0),
        currency=str(session.get("currency") or booking.currency),
        payment_intent=intent,
        details={"checkout_session": session.get("id")},
        kind=str((session.get("metadata") or {}).get("kind") or "deposit"),
    )
    if payment is None:
        return f"already recorded: {intent}"
    return f"payment recorded: {intent}; booking {booking.status}"


def _session_failed(session: dict[str, Any], _extra) -> str:
    booking = _booking_for_session(session)
    if booking is None:
        return "ignored: no such booking"
    _mark_session(session, "failed")
    if booking.status == BookingStatus.PENDING_DEPOSIT.value:
        log_event(
            booking,
            "payment_failed",
            STRIPE_ACTOR,
            note="The deposit payment failed. Unless paid another way, the booking expires at its deadline.",
        )
    return "payment failed: noted"


def _session_expired(session: dict[str, Any], _extra) -> str:
    booking = _booking_for_session(session)
    if booking is None:
        return "ignored: no such booking"
    _mark_session(session, "expired")
    if booking.status == BookingStatus.PENDING_DEPOSIT.value:
        log_event(
            booking,
            "checkout_expired",
            STRIPE_ACTOR,
            note="The card payment page expired unpaid. Unless paid another way, the booking expires at its deadline.",
        )
    return "checkout expired: noted"


# -- refunds ---------------------------------------------------------------------------------


def apply_stripe_refund(obj: dict[str, Any]) -> str:
    """Bring the local refund row in line with a Stripe Refund object (made if unknown)."""
    refund_id = obj.get("id")
    status = obj.get("status") or ""
    refund = db.session.scalar(select(Refund).where(Refund.provider == STRIPE, Refund.provider_ref == refund_id))
    if refund is None:
        local_id = _int((obj.get("metadata") or {}).get("refund_id"))
        candidate = db.session.get(Refund, local_id) if local_id else None
        if candidate is not None and candidate.provider == STRIPE and candidate.provider_ref in (None, refund_id):
            refund = candidate
    if refund is None:
        return _refund_made_elsewhere(obj)
    booking = lock_booking(refund.booking_id)
    db.session.refresh(refund)
    refund.provider_ref = refund.provider_ref or refund_id
    changed = apply_refund_status(refund, booking, status, failure_reason=obj.get("failure_reason") or "")
    return f"refund {refund.id}: {refund.status}" + ("" if changed else " (unchanged)")


def _refund_made_elsewhere(obj: dict[str, Any]) -> str:
    """A refund made in the Stripe dashboard: record it against the card payment."""
    intent = _intent_id(obj.get("payment_intent"))
    payment = db.session.scalar(select(Payment).where(Payment.provider == STRIPE, Payment.provider_ref == intent))
    if payment is None or not obj.get("amount"):
        return f"ignored: refund {obj.get('id')} of an unknown payment"
    booking = lock_booking(payment.booking_id)
    refund = Refund(
        station_id=payment.station_id,
        booking_id=payment.booking_id,
        payment_id=payment.id,
        amount_cents=int(obj["amount"]),
        currency=str(obj.get("currency") or payment.currency).upper(),
        method=CARD_METHOD,
        status=RefundStatus.PENDING,
        provider=STRIPE,
        provider_ref=obj.get("id"),
        reason="Refunded in the Stripe dashboard",
    )
    try:
        with db.session.begin_nested():
            db.session.add(refund)
    except IntegrityError:
        return apply_stripe_refund(obj)  # made meanwhile by another event: update it instead
    log_event(booking, "refund_requested", STRIPE_ACTOR, after={"refund": obj.get("id")}, note=refund.reason)
    apply_refund_status(refund, booking, obj.get("status") or "", failure_reason=obj.get("failure_reason") or "")
    return f"refund {refund.id} recorded from Stripe: {refund.status}"


def _refund_event(obj: dict[str, Any], _extra) -> str:
    return apply_stripe_refund(obj)


def _charge_refunded(charge: dict[str, Any], refunds: list[dict[str, Any]]) -> str:
    if not refunds:
        return "ignored: no refunds listed"
    return "; ".join(apply_stripe_refund({"payment_intent": charge.get("payment_intent"), **r}) for r in refunds)


HANDLERS: dict[str, Callable[[dict[str, Any], Any], str]] = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": _session_failed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
    "refund.created": _refund_event,
    "refund.updated": _refund_event,
    "refund.failed": _refund_event,
}
