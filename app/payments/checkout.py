"""Stripe Checkout Sessions for booking deposits.

A session is asked for when a booking is created (job `payments.create_checkout_session`,
emitted in the booking's transaction) and again on demand by GET /pay/<token> when the
last one expired or failed. The local row (amount, expiry, the exact request
parameters, the idempotency key) is committed before Stripe is called, and Stripe is
called with no database transaction open; a retry resends the same parameters under
the same key, so Stripe answers with the same session instead of making a second one.

The balance (kind "balance", from the customer's manage page once the booking is
confirmed) goes the same way: its own attempts (the metadata says which kind a session
is for), the whole balance, a session of ~24 h, back to the manage page.

Expiry: Stripe accepts `expires_at` only between 30 minutes and 24 hours after the
session is created. The session ends at the booking's deposit deadline, clamped into
that window (31 minutes and 23 h 55 min, margins for clock skew and request time):
- deadline more than 24 h away (a station with a longer deposit window): the session
  ends after ~24 h and /pay/<token> makes a new one when the customer comes back;
- deadline less than 30 minutes away: the session outlives the deadline by at most
  30 minutes. A payment that lands after the booking expired is still recorded, and
  the timeline says so, for staff to refund or rebook (see services.record_card_payment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.payment import CheckoutSession
from app.models.station import Station
from app.payments import stripe_client
from app.web.urls import public_path_url

MIN_LIFETIME = timedelta(minutes=31)
MAX_LIFETIME = timedelta(hours=23, minutes=55)
# An open session this close to its end is not handed out again: a new one is made.
REUSE_MARGIN = timedelta(minutes=5)


class CheckoutUnavailable(DomainError):
    status = 503
    code = "checkout_unavailable"


@dataclass(frozen=True)
class CheckoutLink:
    url: str
    session_id: str


def pay_url(public_token: str, suffix: str = "") -> str:
    """The public payment page of a booking (emails and the API link here, never to Stripe)."""
    return public_path_url(f"/pay/{public_token}{suffix}")


def checkout_expiry(deadline: datetime | None, now: datetime) -> datetime:
    """The deposit deadline clamped into Stripe's 30 min .. 24 h window (see module doc)."""
    earliest, latest = now + MIN_LIFETIME, now + MAX_LIFETIME
    target = deadline or latest
    return min(max(target, earliest), latest).replace(microsecond=0)


def amount_due(booking: Booking, kind: str = "deposit") -> int:
    """What is still missing of the deposit (staff may have taken part of it by hand), or of the balance."""
    if kind == "balance":
        return booking.balance_cents
    return max(booking.deposit_cents - max(booking.paid_cents - booking.refunded_cents, 0), 0)


def payable(booking: Booking, now: datetime, kind: str = "deposit") -> bool:
    if kind == "balance":
        return booking.status == BookingStatus.CONFIRMED.value and booking.balance_cents > 0 and now < booking.starts_at
    return (
        booking.status == BookingStatus.PENDING_DEPOSIT.value
        and amount_due(booking) > 0
        and (booking.deposit_due_at is None or booking.deposit_due_at > now)
    )


def session_params(
    booking: Booking, station: Station, amount_cents: int, expires_at: datetime, kind: str = "deposit"
) -> dict:
    """The Checkout Session request, as it is stored and (re)sent."""
    metadata = {
        "booking_id": str(booking.id),
        "station_id": str(booking.station_id),
        "reference": booking.reference,
        "kind": kind,
    }
    what = "Balance" if kind == "balance" else "Deposit"
    params: dict = {
        "mode": "payment",
        "client_reference_id": str(booking.id),
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": booking.currency.lower(),
                    "unit_amount": amount_cents,
                    "product_data": {
                        "name": f"{what} for booking {booking.reference}",
                        "description": (
                            f"{station.name}: hibachi party on {booking.event_date:%a %d %b %Y} at {booking.slot_time}"
                        ),
                    },
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": dict(metadata), "description": f"{what} {booking.reference}"},
        "expires_at": int(expires_at.timestamp()),
        "success_url": pay_url(booking.public_token, "/success") + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": pay_url(booking.public_token, "/cancel"),
    }
    if kind == "balance":  # back to the customer's own page
        manage = public_path_url(f"/b/{booking.manage_token}")
        params["success_url"], params["cancel_url"] = manage + "?paid=1", manage
    if booking.notify_email:
        params["customer_email"] = booking.notify_email
    return params


def session_kind(row: CheckoutSession) -> str:
    return ((row.params or {}).get("metadata") or {}).get("kind", "deposit")


def _attempts(booking_id: int) -> list[CheckoutSession]:
    return list(
        db.session.scalars(
            select(CheckoutSession)
            .where(CheckoutSession.booking_id == booking_id)
            .order_by(CheckoutSession.attempt.desc())
        )
    )


def _latest(booking_id: int, kind: str = "deposit") -> CheckoutSession | None:
    return next((row for row in _attempts(booking_id) if session_kind(row) == kind), None)


def _new_attempt(
    booking: Booking, station: Station, previous: CheckoutSession | None, now: datetime, kind: str = "deposit"
) -> CheckoutSession:
    """Insert the next attempt; when a concurrent caller inserted it first, use theirs."""
    if kind == "balance":  # attempts are numbered per booking, whatever they are for
        newest = next(iter(_attempts(booking.id)), None)
        number = (newest.attempt + 1) if newest else 1
    else:
        number = (previous.attempt + 1) if previous else 1
    amount = amount_due(booking, kind)
    expires_at = checkout_expiry(booking.deposit_due_at if kind == "deposit" else None, now)
    row = CheckoutSession(
        station_id=booking.station_id,
        booking_id=booking.id,
        attempt=number,
        # The first attempt's key is the booking's own: a second job run or a second
        # click reuses it and Stripe answers with the same session.
        idempotency_key=(
            f"checkout-{booking.id}-{kind}-{number}"
            if kind != "deposit"
            else (f"checkout-{booking.id}" if number == 1 else f"checkout-{booking.id}-{number}")
        ),
        amount_cents=amount,
        currency=booking.currency,
        expires_at=expires_at,
        status="creating",
        params=session_params(booking, station, amount, expires_at, kind),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        winner = db.session.scalar(
            select(CheckoutSession).where(CheckoutSession.booking_id == booking.id, CheckoutSession.attempt == number)
        )
        if winner is None:  # pragma: no cover - the other transaction rolled back: try once more
            raise
        return winner
    return row


def ensure_checkout(booking_id: int, *, now: datetime | None = None, kind: str = "deposit") -> CheckoutLink | None:
    """A usable Checkout Session URL for the booking's deposit (or `kind="balance"`), made if needed.

    None when nothing is to be paid by card (not awaiting a deposit, deadline passed,
    already covered). Commits. Raises TransientError (retry later) or
    CheckoutUnavailable (Stripe refused) when Stripe did not give a session.
    """
    now = now or utcnow()
    booking = db.session.get(Booking, booking_id)
    if booking is None or not payable(booking, now, kind):
        db.session.commit()
        return None
    latest = _latest(booking.id, kind)
    if (
        latest is not None
        and latest.status == "open"
        and latest.url
        and latest.expires_at > now + REUSE_MARGIN
        and latest.amount_cents == amount_due(booking, kind)  # a balance changed meanwhile asks again
    ):
        link = CheckoutLink(latest.url, latest.stripe_session_id or "")
        db.session.commit()
        return link
    if latest is not None and latest.status == "creating" and latest.expires_at >= now + MIN_LIFETIME:
        attempt = latest  # an earlier call wrote it; resend the same request under the same key
    else:
        if latest is not None and latest.status == "creating":
            latest.status = "failed"
            latest.last_error = latest.last_error or "abandoned: too close to its expiry to be sent again"
        station = db.session.get(Station, booking.station_id)
        attempt = _new_attempt(booking, station, latest, now, kind)
    attempt_id, params, key = attempt.id, dict(attempt.params), attempt.idempotency_key
    db.session.commit()  # no transaction stays open while Stripe is called

    import stripe  # on first use (see app.payments.stripe_client)

    try:
        session = stripe_client.client().v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
        data = session.to_dict()
    except stripe.StripeError as error:
        _note_failure(attempt_id, error)
        stripe_client.raise_transient(error)
        raise CheckoutUnavailable("Card payment is not available right now.") from error

    row = db.session.get(CheckoutSession, attempt_id)
    row.stripe_session_id = data["id"]
    row.url = data["url"]
    row.payment_intent = _intent_id(data.get("payment_intent"))
    if row.status in ("creating", "failed"):
        row.status = "open"
    row.last_error = ""
    db.session.commit()
    return CheckoutLink(data["url"], data["id"])


def _note_failure(attempt_id: int, error: Exception) -> None:
    row = db.session.get(CheckoutSession, attempt_id)
    row.last_error = stripe_client.describe(error)
    if not stripe_client.is_transient(error):
        row.status = "failed"  # the next call makes a new attempt with a new key
    db.session.commit()


def _intent_id(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.get("id")
