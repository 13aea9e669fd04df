"""Paying the balance from the manage page: Stripe Checkout through the real SDK against a
local fake, confirmed by the signed webhook; without a key, the page says how to pay by hand."""

from __future__ import annotations

from sqlalchemy import select

from app.models.booking import Booking
from app.models.outbox import Notification
from app.models.payment import CheckoutSession, Payment
from tests.payments.conftest import event, post_event, session_json, stripe_on, webhooks_on  # noqa: F401


def test_the_balance_goes_through_checkout_and_the_webhook(client, party, stripe_on, dbq):  # noqa: F811
    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json("cs_balance"))
    page = client.get(f"/b/{party.token}").get_data(as_text=True)
    assert "by card</a>" in page
    to_stripe = client.get(f"/b/{party.token}/pay")
    assert to_stripe.status_code == 303 and to_stripe.headers["Location"].endswith("/c/pay/cs_balance")
    sent = stripe_on.log[-1][0]
    form = sent.form
    booking = dbq.get(Booking, party.id)
    assert (
        form["metadata[kind]"] == "balance"
        and int(form["line_items[0][price_data][unit_amount]"]) == booking.balance_cents
    )
    assert form["success_url"].endswith(f"/b/{party.token}?paid=1")
    row = dbq.scalar(select(CheckoutSession))
    assert row.idempotency_key == f"checkout-{party.id}-balance-1"

    paid = {
        "id": "cs_balance",
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": booking.balance_cents,
        "currency": "usd",
        "payment_intent": "pi_balance",
        "client_reference_id": str(party.id),
        "metadata": {"booking_id": str(party.id), "station_id": str(booking.station_id), "kind": "balance"},
    }
    for _ in range(2):  # Stripe may send it twice: recorded once
        assert post_event(client, event("checkout.session.completed", paid, "evt_balance")).status_code == 200
    after = dbq.get(Booking, party.id)
    assert after.balance_cents == 0 and after.status == "confirmed"
    payments = dbq.scalars(select(Payment).where(Payment.booking_id == party.id, Payment.provider == "stripe"))
    assert [(p.kind, p.amount_cents) for p in payments] == [("balance", booking.balance_cents)]
    receipts = dbq.scalars(select(Notification).where(Notification.kind == "balance_received"))
    assert sorted(r.channel for r in receipts) == ["email", "sms"]  # one receipt, though the event came twice
    thanks = client.get(f"/b/{party.token}?paid=1").get_data(as_text=True)
    assert "Thank you!" in thanks and "by card</a>" not in thanks  # nothing left to pay
    assert client.get(f"/b/{party.token}/pay").status_code == 303  # back to the page: "Nothing is left to pay."


def test_without_a_key_the_page_says_how_to_pay_by_hand(client, party):
    assert "by card</a>" not in client.get(f"/b/{party.token}").get_data(as_text=True)
    answer = client.get(f"/b/{party.token}/pay", follow_redirects=True).get_data(as_text=True)
    assert "pay Alpha by hand (cash, Venmo, Zelle or check)" in answer
