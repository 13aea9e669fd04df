"""Payment jobs: Checkout Sessions, Stripe events, refunds to the card.

Each takes ids, reloads rows, is idempotent, and calls Stripe with no database
transaction open; Stripe's network errors, rate limits and 5xx raise TransientError
(retried with the same idempotency key), anything else fails for good.
"""

from __future__ import annotations

from app.bookings.timeline import log_event
from app.extensions import db
from app.integrations import stripe_enabled
from app.jobs.registry import job
from app.models.payment import STRIPE, Refund, RefundStatus
from app.payments import checkout, events, stripe_client
from app.payments.services import STRIPE_ACTOR, apply_refund_status, lock_booking


@job("payments.create_checkout_session", retries=4, timeout=60)
def create_checkout_session(booking_id: int) -> str | None:
    """Make the deposit's Checkout Session (no-op without Stripe or once it exists)."""
    if not stripe_enabled():
        return None
    link = checkout.ensure_checkout(booking_id)
    return link.session_id if link else None


@job("payments.process_stripe_event", retries=4, timeout=60)
def process_stripe_event(event_id: str) -> str:
    """Apply one stored Stripe event (see app/payments/events.py)."""
    return events.process_event(event_id)


@job("payments.send_refund", retries=4, timeout=60)
def send_refund(refund_id: int) -> str:
    """Ask Stripe to refund a pending card refund; the status follows its answer."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.provider != STRIPE or refund.provider_ref or refund.status != RefundStatus.PENDING:
        db.session.commit()
        return "skipped"
    if refund.payment is None or not refund.payment.provider_ref:
        booking = lock_booking(refund.booking_id)
        apply_refund_status(refund, booking, RefundStatus.FAILED, failure_reason="The card payment is gone.")
        db.session.commit()
        return "failed"
    params = {
        "payment_intent": refund.payment.provider_ref,
        "amount": refund.amount_cents,
        "reason": "requested_by_customer",
        "metadata": {
            "refund_id": str(refund.id),
            "booking_id": str(refund.booking_id),
            "station_id": str(refund.station_id),
        },
    }
    key, booking_id = refund.idempotency_key or f"refund-{refund.id}", refund.booking_id
    db.session.commit()  # no transaction stays open while Stripe is called

    import stripe  # on first use (see app.payments.stripe_client)

    try:
        answer = stripe_client.client().v1.refunds.create(params=params, options={"idempotency_key": key}).to_dict()
    except stripe.StripeError as error:
        if stripe_client.is_transient(error):
            refund = db.session.get(Refund, refund_id)
            refund.failure_reason = stripe_client.describe(error)
            db.session.commit()
            stripe_client.raise_transient(error)
        booking = lock_booking(booking_id)
        refund = db.session.get(Refund, refund_id)
        apply_refund_status(refund, booking, RefundStatus.FAILED, failure_reason=stripe_client.describe(error))
        db.session.commit()
        return "failed"

    booking = lock_booking(booking_id)
    refund = db.session.get(Refund, refund_id)
    db.session.refresh(refund)
    refund.provider_ref = refund.provider_ref or answer["id"]
    apply_refund_status(refund, booking, answer.get("status") or "", failure_reason=answer.get("failure_reason") or "")
    if refund.status == RefundStatus.PENDING:
        log_event(booking, "note", STRIPE_ACTOR, note=f"Stripe took the refund ({answer['id']}); it is on its way.")
    db.session.commit()
    return refund.status
