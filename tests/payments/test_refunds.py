"""Refunds from the booking page: permission, limits, by hand, to the card via Stripe."""

from __future__ import annotations

from sqlalchemy import select

from app.models.booking import Booking, BookingEvent
from app.models.outbox import OutboxMessage
from app.models.payment import Refund
from tests.payments.conftest import event, post_event, refund_json


def _refund_url(booking) -> str:
    return f"/s/alpha/bookings/{booking.id}/refunds"


def _refund_requests(server):
    return [req for req, _ in server.log if req.path == "/v1/refunds" and req.method == "POST"]


def _paid_by_hand(as_role, booking, amount="100.00"):
    response = as_role("staff").post_form(
        f"/s/alpha/bookings/{booking.id}/payments", {"amount": amount, "method": "cash", "kind": "deposit"}
    )
    assert response.status_code == 303


def test_staff_may_not_refund_managers_may(as_role, make_booking, dbq):
    booking = make_booking()
    _paid_by_hand(as_role, booking)
    assert as_role("staff").post_form(_refund_url(booking), {"amount": "10", "method": "cash"}).status_code == 403
    assert as_role("chef").post_form(_refund_url(booking), {"amount": "10", "method": "cash"}).status_code == 403
    assert dbq.count(Refund) == 0
    assert b"Refund</summary>" not in as_role("staff").get(f"/s/alpha/bookings/{booking.id}").data

    response = as_role("manager").post_form(_refund_url(booking), {"amount": "40", "method": "venmo", "reason": "x"})
    assert response.status_code == 303
    (refund,) = dbq.scalars(select(Refund))
    assert (refund.amount_cents, refund.method, refund.status, refund.provider) == (4000, "venmo", "succeeded", None)
    assert refund.idempotency_key == f"refund-{refund.id}"
    after = dbq.get(Booking, booking.id)
    assert after.refunded_cents == 4000 and after.balance_cents == after.total_cents - 6000
    kinds = dbq.scalars(select(BookingEvent.kind).where(BookingEvent.booking_id == booking.id))
    assert "refund_recorded" in kinds
    assert dbq.count(OutboxMessage, OutboxMessage.job == "payments.send_refund") == 0  # no Stripe by hand


def test_more_than_was_paid_is_refused_with_a_message_and_nothing_written(as_role, make_booking, dbq):
    booking = make_booking()
    _paid_by_hand(as_role, booking)
    manager = as_role("manager")
    response = manager.htmx("POST", _refund_url(booking), data={"amount": "100.01", "method": "cash"})
    assert response.status_code == 422
    assert "At most $100.00 can be refunded" in response.headers["HX-Trigger"]
    assert manager.post_form(_refund_url(booking), {"amount": "0", "method": "cash"}).status_code == 303
    assert manager.post_form(_refund_url(booking), {"amount": "abc", "method": "cash"}).status_code == 303
    assert manager.post_form(_refund_url(booking), {"amount": "5", "method": "card"}).status_code == 303  # no Stripe
    assert dbq.count(Refund) == 0
    assert dbq.get(Booking, booking.id).refunded_cents == 0
    kinds = dbq.scalars(select(BookingEvent.kind).where(BookingEvent.booking_id == booking.id))
    assert not [k for k in kinds if k.startswith("refund")]
    # Refunded in two steps, the second limited by the first
    assert manager.post_form(_refund_url(booking), {"amount": "60", "method": "cash"}).status_code == 303
    refused = manager.htmx("POST", _refund_url(booking), data={"amount": "41", "method": "cash"})
    assert refused.status_code == 422 and "At most $40.00" in refused.headers["HX-Trigger"]
    assert dbq.count(Refund) == 1


def test_the_booking_page_shows_the_policy_and_the_limit(as_role, make_booking):
    booking = make_booking()
    _paid_by_hand(as_role, booking)
    page = as_role("manager").get(f"/s/alpha/bookings/{booking.id}").get_data(as_text=True)
    assert "Refund</summary>" in page
    assert "refundable when the booking is cancelled 7+ days before the event" in page
    assert "Up to $100.00 can be refunded" in page
    assert "Back to the card" not in page  # no Stripe: by hand only


def test_a_card_refund_goes_to_stripe_after_commit_and_follows_its_webhooks(
    app, as_role, card_paid, stripe_on, dbq, client
):
    stripe_on.expect_request("/v1/refunds", method="POST").respond_with_json(refund_json(status="pending"))
    manager = as_role("manager")
    page = manager.get(f"/s/alpha/bookings/{card_paid.id}").get_data(as_text=True)
    assert "Back to the card (Stripe)" in page and "$100.00 of it back to the card" in page

    response = manager.htmx("POST", _refund_url(card_paid), data={"amount": "100", "method": "card"})
    assert response.status_code == 200 and "Refund requested from Stripe." in response.headers["HX-Trigger"]
    (refund,) = dbq.scalars(select(Refund))
    (sent,) = _refund_requests(stripe_on)
    assert sent.headers["Idempotency-Key"] == f"refund-{refund.id}"
    assert sent.form["payment_intent"] == "pi_1" and sent.form["amount"] == "10000"
    assert sent.form["metadata[refund_id]"] == str(refund.id)
    assert (refund.status, refund.provider_ref, refund.payment_id is not None) == ("pending", "re_1", True)
    assert dbq.get(Booking, card_paid.id).refunded_cents == 0  # not gone back yet

    # Nothing more can be refunded while this one is on its way
    again = manager.htmx("POST", _refund_url(card_paid), data={"amount": "1", "method": "cash"})
    assert again.status_code == 422

    post_event(client, event("refund.updated", refund_json(status="succeeded"), "evt_r1"))
    assert dbq.get(Refund, refund.id).status == "succeeded"
    assert dbq.get(Booking, card_paid.id).refunded_cents == 10000
    # charge.refunded with the refund embedded, and a late "pending" update: no double count, no going back
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_1",
        "amount_refunded": 10000,
        "refunds": {"object": "list", "data": [refund_json(status="succeeded")]},
    }
    post_event(client, event("charge.refunded", charge, "evt_r2"))
    post_event(client, event("refund.updated", refund_json(status="pending"), "evt_r3"))
    assert dbq.get(Refund, refund.id).status == "succeeded"
    assert dbq.get(Booking, card_paid.id).refunded_cents == 10000
    assert dbq.count(Refund) == 1


def test_stripe_answering_succeeded_counts_at_once(as_role, card_paid, stripe_on, dbq):
    stripe_on.expect_request("/v1/refunds", method="POST").respond_with_json(
        refund_json(status="succeeded", amount=2500)
    )
    as_role("owner").post_form(_refund_url(card_paid), {"amount": "25", "method": "card"})
    (refund,) = dbq.scalars(select(Refund))
    assert refund.status == "succeeded"
    assert dbq.get(Booking, card_paid.id).refunded_cents == 2500


def test_a_refund_stripe_refuses_is_marked_failed(as_role, card_paid, stripe_on, dbq):
    stripe_on.expect_request("/v1/refunds", method="POST").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "Charge already refunded"}}, status=400
    )
    as_role("manager").post_form(_refund_url(card_paid), {"amount": "100", "method": "card"})
    (refund,) = dbq.scalars(select(Refund))
    assert refund.status == "failed" and "already refunded" in refund.failure_reason
    assert dbq.get(Booking, card_paid.id).refunded_cents == 0
    page = as_role("manager").get(f"/s/alpha/bookings/{card_paid.id}").get_data(as_text=True)
    assert "already refunded" in page and "Up to $100.00 can be refunded" in page


def test_a_refund_made_in_the_stripe_dashboard_is_recorded(card_paid, stripe_on, dbq, client):
    """charge.refunded without its refunds (current API versions): listed from Stripe."""
    stripe_on.expect_request(
        "/v1/refunds", method="GET", query_string={"charge": "ch_1", "limit": "100"}
    ).respond_with_json(
        {
            "object": "list",
            "url": "/v1/refunds",
            "has_more": False,
            "data": [refund_json("re_dash", amount=3000, status="succeeded")],
        }
    )
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount_refunded": 3000}
    assert post_event(client, event("charge.refunded", charge, "evt_d1")).status_code == 200
    (refund,) = dbq.scalars(select(Refund))
    assert (refund.provider_ref, refund.amount_cents, refund.status) == ("re_dash", 3000, "succeeded")
    assert refund.reason == "Refunded in the Stripe dashboard"
    # The refund's own event afterwards changes nothing
    post_event(client, event("refund.updated", refund_json("re_dash", amount=3000, status="succeeded"), "evt_d2"))
    assert dbq.count(Refund) == 1
    assert dbq.get(Booking, card_paid.id).refunded_cents == 3000


def test_a_refund_that_fails_after_succeeding_is_taken_back(app, as_role, card_paid, stripe_on, dbq, client):
    stripe_on.expect_request("/v1/refunds", method="POST").respond_with_json(refund_json(status="succeeded"))
    as_role("manager").post_form(_refund_url(card_paid), {"amount": "100", "method": "card"})
    assert dbq.get(Booking, card_paid.id).refunded_cents == 10000
    post_event(client, event("refund.failed", refund_json(status="failed", failure_reason="lost_or_stolen_card")))
    assert dbq.scalar(select(Refund.status)) == "failed"
    assert dbq.get(Booking, card_paid.id).refunded_cents == 0
