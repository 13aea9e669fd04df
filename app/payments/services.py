"""Payment services: ask for the deposit checkout, record card payments, refunds.

Services flush, never commit: the request or the job commits once. Calls to Stripe
are made by jobs (app/payments/jobs.py) after commit, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.bookings import lifecycle
from app.bookings.timeline import Actor, log_event
from app.errors import ValidationFailed
from app.extensions import db
from app.integrations import stripe_enabled
from app.jobs.outbox import emit
from app.models.booking import Booking, BookingStatus
from app.models.payment import CARD_METHOD, MANUAL_METHODS, STRIPE, Payment, Refund, RefundStatus
from app.payments.checkout import pay_url
from app.pricing import format_money

STRIPE_ACTOR = Actor.system("Stripe")


def checkout_url(booking: Booking) -> str | None:
    """The link for paying the deposit by card (PUBLIC_BASE_URL/pay/<token>), for emails
    and SMS; None without Stripe or when no deposit is awaited (staff record it by hand).

    It names our page, never a Stripe URL: the page makes a fresh session when the last
    one expired, so the link works until the deposit deadline.
    """
    if not stripe_enabled() or booking.status != BookingStatus.PENDING_DEPOSIT.value:
        return None
    return pay_url(booking.public_token)


def lock_booking(booking_id: int) -> Booking | None:
    """The booking row, locked for the rest of the transaction (PostgreSQL), fresh."""
    return db.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update(of=Booking)  # not the eagerly joined customer and chef
        .execution_options(populate_existing=True)
    )


# -- card payments (Stripe Checkout) ----------------------------------------------------


def record_card_payment(
    booking: Booking,
    *,
    amount_cents: int,
    currency: str,
    payment_intent: str,
    details: dict | None = None,
    kind: str = "deposit",
) -> Payment | None:
    """Record a deposit paid through Stripe, once per PaymentIntent; confirm the booking.

    The same semantics as `lifecycle.record_payment`, for money that has already moved:
    it is recorded whatever the booking's state (a payment after expiry or beyond the
    balance is noted on the timeline for staff). Returns None when it was recorded
    before (a repeated or second event for the same PaymentIntent). `booking` must be
    locked by the caller (`lock_booking`).
    """
    existing = db.session.scalar(
        select(Payment.id).where(Payment.provider == STRIPE, Payment.provider_ref == payment_intent)
    )
    if existing is not None or amount_cents <= 0:
        return None
    payment = Payment(
        station_id=booking.station_id,
        booking_id=booking.id,
        kind=kind if kind in ("deposit", "balance") else "other",
        method=CARD_METHOD,
        amount_cents=amount_cents,
        currency=currency.upper(),
        status="succeeded",
        provider=STRIPE,
        provider_ref=payment_intent,
        note="Stripe Checkout",
        details=details or {},
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:
        return None  # recorded meanwhile by a concurrent run
    before = {"paid_cents": booking.paid_cents}
    booking.paid_cents += amount_cents
    log_event(
        booking,
        "payment_recorded",
        STRIPE_ACTOR,
        before=before,
        after={"paid_cents": booking.paid_cents, "method": CARD_METHOD, "kind": payment.kind},
        note=f"Card payment {payment_intent}",
    )
    net_paid = booking.paid_cents - booking.refunded_cents
    if booking.status == BookingStatus.PENDING_DEPOSIT.value and net_paid >= booking.deposit_cents:
        lifecycle.confirm(booking, STRIPE_ACTOR)
    elif not booking.holds_slot:
        log_event(
            booking,
            "note",
            STRIPE_ACTOR,
            note=(
                f"A card payment of {format_money(amount_cents, currency.upper())} arrived after the booking was "
                f"{lifecycle.LABELS[BookingStatus(booking.status)]}: refund it, or rebook the party."
            ),
        )
    elif net_paid > booking.total_cents:
        log_event(booking, "note", STRIPE_ACTOR, note="Paid more than the total: refund the difference.")
    return payment


# -- refunds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundLimits:
    """What may still be refunded: in all, and back to a card through Stripe."""

    refundable_cents: int
    card_payment: Payment | None
    card_refundable_cents: int


def refund_limits(
    booking: Booking, *, payments: Sequence[Payment] | None = None, refunds: Sequence[Refund] | None = None
) -> RefundLimits:
    """Paid minus refunded minus refunds still in flight; per card payment likewise.

    `payments` and `refunds`: all of the booking's, when the caller has them loaded
    already (the booking page); otherwise two queries load them.
    """
    if payments is None:
        payments = db.session.scalars(select(Payment).where(Payment.booking_id == booking.id)).all()
    if refunds is None:
        refunds = db.session.scalars(select(Refund).where(Refund.booking_id == booking.id)).all()
    committed = [r for r in refunds if r.status in RefundStatus.COMMITTED]
    in_flight = sum(r.amount_cents for r in committed if r.status != RefundStatus.SUCCEEDED)
    refundable = max(booking.paid_cents - booking.refunded_cents - in_flight, 0)
    best, best_left = None, 0
    card_payments = sorted(
        (p for p in payments if p.provider == STRIPE and p.status == "succeeded"), key=lambda p: (p.created_at, p.id)
    )
    for payment in card_payments:
        left = payment.amount_cents - sum(r.amount_cents for r in committed if r.payment_id == payment.id)
        if left > best_left:
            best, best_left = payment, left
    return RefundLimits(refundable, best, min(best_left, refundable))


def refund_methods(limits: RefundLimits) -> list[str]:
    """Card (back through Stripe) when a card payment has room and Stripe is on; then by hand."""
    card = [CARD_METHOD] if stripe_enabled() and limits.card_refundable_cents > 0 else []
    return card + list(MANUAL_METHODS)


def refund(
    booking: Booking,
    actor: Actor,
    *,
    amount_cents: int,
    method: str,
    reason: str = "",
) -> Refund:
    """Refund part or all of what was paid.

    Card: a pending Refund row (idempotency key `refund-<id>`) and the job that asks
    Stripe, in this transaction; the status follows Stripe's answer and its webhooks.
    By hand (cash, Venmo...): recorded as paid back now.
    """
    locked = lock_booking(booking.id)
    booking = locked if locked is not None else booking
    if amount_cents <= 0:
        raise ValidationFailed("Enter an amount above zero.", fields={"amount": "Above zero."})
    limits = refund_limits(booking)
    currency = booking.currency
    if amount_cents > limits.refundable_cents:
        most = format_money(limits.refundable_cents, currency)
        raise ValidationFailed(
            f"At most {most} can be refunded (paid {format_money(booking.paid_cents, currency)}, "
            f"already refunded or on its way {format_money(booking.paid_cents - limits.refundable_cents, currency)}).",
            fields={"amount": f"At most {limits.refundable_cents / 100:.2f}"},
        )
    if method not in refund_methods(limits):
        raise ValidationFailed("Choose how the money goes back.", fields={"method": ", ".join(refund_methods(limits))})
    by_card = method == CARD_METHOD
    if by_card and amount_cents > limits.card_refundable_cents:
        most = format_money(limits.card_refundable_cents, currency)
        raise ValidationFailed(
            f"At most {most} can go back to the card; pay the rest back by hand.",
            fields={"amount": f"At most {limits.card_refundable_cents / 100:.2f}"},
        )
    row = Refund(
        station_id=booking.station_id,
        booking_id=booking.id,
        payment_id=limits.card_payment.id if by_card else None,
        amount_cents=amount_cents,
        currency=currency,
        method=method,
        status=RefundStatus.PENDING if by_card else RefundStatus.SUCCEEDED,
        provider=STRIPE if by_card else None,
        reason=(reason or "").strip()[:2000],
        recorded_by_id=actor.user_id,
    )
    db.session.add(row)
    db.session.flush()
    row.idempotency_key = f"refund-{row.id}"
    before = {"refunded_cents": booking.refunded_cents}
    if by_card:
        log_event(
            booking,
            "refund_requested",
            actor,
            before=before,
            after={"refund": format_money(amount_cents, currency), "method": method, "status": row.status},
            note=row.reason,
        )
        emit("payments.send_refund", key=f"refund:{row.id}", station_id=booking.station_id, refund_id=row.id)
    else:
        booking.refunded_cents += amount_cents
        log_event(
            booking,
            "refund_recorded",
            actor,
            before=before,
            after={"refunded_cents": booking.refunded_cents, "method": method},
            note=row.reason,
        )
    return row


TERMINAL = (RefundStatus.FAILED, RefundStatus.CANCELED)


def apply_refund_status(refund: Refund, booking: Booking, status: str, *, failure_reason: str = "") -> bool:
    """Move a refund to Stripe's status; keep `booking.refunded_cents` = succeeded refunds.

    Events can arrive out of order: nothing leaves failed/canceled, and succeeded only
    becomes failed (Stripe can fail a refund after it succeeded). True when it changed.
    """
    if status not in RefundStatus.ALL or status == refund.status or refund.status in TERMINAL:
        return False
    if refund.status == RefundStatus.SUCCEEDED and status != RefundStatus.FAILED:
        return False
    before = {"refund_status": refund.status, "refunded_cents": booking.refunded_cents}
    was_counted = refund.status == RefundStatus.SUCCEEDED
    refund.status = status
    if failure_reason:
        refund.failure_reason = failure_reason[:500]
    counted = status == RefundStatus.SUCCEEDED
    if counted and not was_counted:
        booking.refunded_cents += refund.amount_cents
    elif was_counted and not counted:
        booking.refunded_cents -= refund.amount_cents
    log_event(
        booking,
        f"refund_{status}",
        STRIPE_ACTOR,
        before=before,
        after={"refund_status": status, "refunded_cents": booking.refunded_cents},
        note=failure_reason,
    )
    return True
