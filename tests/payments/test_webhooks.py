"""POST /webhooks/stripe: signatures, dedupe by event id, and what each event does."""

from __future__ import annotations

import time

from sqlalchemy import select

from app.extensions import db
from app.models.booking import Booking, BookingEvent
from app.models.outbox import OutboxMessage
from app.models.payment import Payment
from app.models.stripe_event import StripeEvent
from app.payments.jobs import process_stripe_event
from tests.payments.conftest import completed_session, event, post_event, signed


def test_a_signed_completed_session_records_the_deposit_and_confirms(client, make_booking, webhooks_on, dbq):
    booking = make_booking()
    response = post_event(client, event("checkout.session.completed", completed_session(booking)))
    assert response.status_code == 200
    assert response.get_json() == {"status": "received", "id": "evt_1"}

    (payment,) = dbq.scalars(select(Payment).where(Payment.booking_id == booking.id))
    assert (payment.method, payment.provider, payment.provider_ref) == ("card", "stripe", "pi_1")
    assert (payment.amount_cents, payment.currency, payment.kind) == (10000, "USD", "deposit")
    after = dbq.get(Booking, booking.id)
    assert after.status == "confirmed" and after.paid_cents == 10000 and after.confirmed_at is not None
    stored = dbq.scalar(select(StripeEvent).where(StripeEvent.event_id == "evt_1"))
    assert stored.processed_at is not None and "payment recorded" in stored.outcome
    message = dbq.scalar(select(OutboxMessage).where(OutboxMessage.job == "payments.process_stripe_event"))
    assert message.station_id == booking.station_id and message.payload == {"event_id": "evt_1"}
    kinds = dbq.scalars(select(BookingEvent.kind).where(BookingEvent.booking_id == booking.id))
    assert kinds.count("confirmed") == 1 and kinds.count("payment_recorded") == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(client, make_booking, webhooks_on, dbq):
    booking = make_booking()
    payload = event("checkout.session.completed", completed_session(booking))
    forged = post_event(client, payload, secret="whsec_someone_else")
    assert forged.status_code == 400 and forged.get_json()["error"]["message"] == "Invalid signature."
    body, headers = signed(payload)
    tampered = body.replace('"amount_total": 10000', '"amount_total": 1')
    assert client.post("/webhooks/stripe", data=tampered, headers=headers).status_code == 400
    assert client.post("/webhooks/stripe", data=body).status_code == 400  # no header at all
    assert dbq.count(StripeEvent) == 0 and dbq.count(Payment) == 0
    assert dbq.get(Booking, booking.id).status == "pending_deposit"


def test_a_stale_timestamp_is_refused(client, make_booking, webhooks_on, dbq):
    booking = make_booking()
    payload = event("checkout.session.completed", completed_session(booking))
    response = post_event(client, payload, timestamp=int(time.time()) - 600)  # tolerance is 300 s
    assert response.status_code == 400
    assert dbq.count(StripeEvent) == 0


def test_without_a_webhook_secret_everything_is_refused(client, make_booking, dbq):
    booking = make_booking()
    response = post_event(client, event("checkout.session.completed", completed_session(booking)))
    assert response.status_code == 400  # fail closed
    assert dbq.count(StripeEvent) == 0


def test_garbage_signed_correctly_is_still_refused(client, webhooks_on, dbq):
    body = '{"no": "id"}'
    import stripe

    header = stripe.WebhookSignature.generate_signature_header(body, "whsec_test_secret")
    response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header})
    assert response.status_code == 400
    not_json = "this is not json"
    header = stripe.WebhookSignature.generate_signature_header(not_json, "whsec_test_secret")
    response = client.post("/webhooks/stripe", data=not_json, headers={"Stripe-Signature": header})
    assert response.status_code == 400 and response.get_json()["error"]["message"] == "Invalid payload."
    assert dbq.count(StripeEvent) == 0


def test_a_repeated_delivery_answers_200_and_does_nothing(client, make_booking, webhooks_on, dbq):
    booking = make_booking()
    payload = event("checkout.session.completed", completed_session(booking))
    assert post_event(client, payload).get_json()["status"] == "received"
    again = post_event(client, payload)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert dbq.count(Payment) == 1 and dbq.count(StripeEvent) == 1
    assert dbq.count(OutboxMessage, OutboxMessage.job == "payments.process_stripe_event") == 1


def test_processing_an_event_twice_or_a_second_event_of_the_same_payment_records_once(
    app, client, make_booking, webhooks_on, dbq
):
    booking = make_booking()
    post_event(client, event("checkout.session.completed", completed_session(booking)))
    with app.app_context():
        assert process_stripe_event("evt_1") == "skipped"
    # async_payment_succeeded after completed (same PaymentIntent), another event id
    second = post_event(
        client, event("checkout.session.async_payment_succeeded", completed_session(booking), event_id="evt_2")
    )
    assert second.get_json()["status"] == "received"
    assert dbq.count(Payment) == 1
    assert "already recorded" in dbq.scalar(select(StripeEvent.outcome).where(StripeEvent.event_id == "evt_2"))
    assert dbq.get(Booking, booking.id).paid_cents == 10000


def test_async_payment_waits_then_succeeds(client, make_booking, webhooks_on, dbq):
    booking = make_booking()
    unpaid = completed_session(booking, payment_status="unpaid")
    post_event(client, event("checkout.session.completed", unpaid))
    assert dbq.get(Booking, booking.id).status == "pending_deposit"
    assert dbq.count(Payment) == 0
    post_event(client, event("checkout.session.async_payment_succeeded", completed_session(booking), "evt_2"))
    assert dbq.get(Booking, booking.id).status == "confirmed"


def test_failed_and_expired_sessions_are_noted_on_the_timeline(client, make_booking, webhooks_on, dbq):
    booking = make_booking()
    post_event(client, event("checkout.session.async_payment_failed", completed_session(booking), "evt_f"))
    post_event(client, event("checkout.session.expired", completed_session(booking, status="expired"), "evt_x"))
    notes = dbq.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking.id).order_by(BookingEvent.id))
    kinds = [e.kind for e in notes]
    assert "payment_failed" in kinds and "checkout_expired" in kinds
    assert all(e.actor_label == "Stripe" for e in notes if e.kind in ("payment_failed", "checkout_expired"))
    assert dbq.get(Booking, booking.id).status == "pending_deposit"  # expires by its deadline
    assert dbq.count(Payment) == 0


def test_a_payment_after_expiry_is_recorded_and_flagged(app, client, make_booking, webhooks_on, dbq):
    from app.bookings import lifecycle
    from app.models.base import utcnow

    booking = make_booking()
    with app.app_context():
        row = db.session.get(Booking, booking.id)
        row.deposit_due_at = utcnow()
        assert lifecycle.expire(row)
        db.session.commit()
    post_event(client, event("checkout.session.completed", completed_session(booking)))
    after = dbq.get(Booking, booking.id)
    assert after.status == "expired" and after.paid_cents == 10000
    notes = dbq.scalars(select(BookingEvent.note).where(BookingEvent.booking_id == booking.id))
    assert any("arrived after the booking was expired" in note for note in notes)


def test_an_event_naming_another_stations_booking_is_ignored(client, make_booking, webhooks_on, world, dbq):
    booking = make_booking()
    obj = completed_session(booking, metadata={"booking_id": str(booking.id), "station_id": str(world.other.id)})
    assert post_event(client, event("checkout.session.completed", obj)).status_code == 200
    assert dbq.count(Payment) == 0
    assert dbq.scalar(select(StripeEvent.outcome)) == "ignored: no such booking"


def test_unhandled_event_types_are_stored_and_ignored(client, webhooks_on, dbq):
    response = post_event(client, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    stored = dbq.scalar(select(StripeEvent))
    assert stored.type == "customer.created" and stored.processed_at is not None
    assert dbq.count(OutboxMessage) == 0
