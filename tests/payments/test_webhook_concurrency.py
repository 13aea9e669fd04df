"""The same Stripe event delivered 10 times at once, through the Flask app, on PostgreSQL
with real commits and threads: one payment, one confirmation, every delivery 200."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.booking import Booking, BookingEvent
from app.models.payment import Payment
from app.models.stripe_event import StripeEvent
from tests.payments.conftest import completed_session, event, signed

DELIVERIES = 10


def _deliver_all(app, bodies_and_headers):
    barrier = threading.Barrier(len(bodies_and_headers))

    def deliver(item):
        body, headers = item
        client = app.test_client()
        barrier.wait(timeout=30)  # everyone fires together
        response = client.post("/webhooks/stripe", data=body, headers=headers)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(bodies_and_headers)) as pool:
        return list(pool.map(deliver, bodies_and_headers))


def _counts(app, booking_id: int) -> dict:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        confirmations = db.session.scalar(
            select(func.count()).where(BookingEvent.booking_id == booking_id, BookingEvent.kind == "confirmed")
        )
        return {
            "payments": db.session.scalar(select(func.count()).select_from(Payment)),
            "events": db.session.scalar(select(func.count()).select_from(StripeEvent)),
            "confirmations": confirmations,
            "status": booking.status,
            "paid_cents": booking.paid_cents,
        }


@pytest.mark.committing
def test_one_event_ten_times_at_once_records_one_payment(app, make_booking, webhooks_on):
    booking = make_booking()
    signed_once = signed(event("checkout.session.completed", completed_session(booking)))
    results = _deliver_all(app, [signed_once] * DELIVERIES)

    assert all(status == 200 for status, _ in results), results
    outcomes = sorted(body["status"] for _, body in results)
    assert outcomes == ["duplicate"] * (DELIVERIES - 1) + ["received"]
    assert _counts(app, booking.id) == {
        "payments": 1,
        "events": 1,
        "confirmations": 1,
        "status": "confirmed",
        "paid_cents": booking.deposit_cents,
    }


@pytest.mark.committing
def test_ten_different_events_for_one_payment_at_once_record_it_once(app, make_booking, webhooks_on):
    """Stripe may send completed and async_payment_succeeded (other ids) for one PaymentIntent."""
    booking = make_booking()
    kinds = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]
    deliveries = [
        signed(event(kinds[n % 2], completed_session(booking), event_id=f"evt_{n}")) for n in range(DELIVERIES)
    ]
    results = _deliver_all(app, deliveries)

    assert [body["status"] for _, body in results] == ["received"] * DELIVERIES
    counts = _counts(app, booking.id)
    assert counts == {
        "payments": 1,
        "events": DELIVERIES,
        "confirmations": 1,
        "status": "confirmed",
        "paid_cents": booking.deposit_cents,
    }
