"""Deposit Checkout Sessions: the real stripe SDK against a local fake server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.jobs.outbox import relay
from app.models.booking import Booking
from app.models.outbox import OutboxMessage
from app.models.payment import CheckoutSession
from app.payments.checkout import MAX_LIFETIME, MIN_LIFETIME, checkout_expiry
from tests.payments.conftest import SECRET_KEY, session_json

API = "/api/v1/bookings"


def _booking_body(**overrides):
    from tests.bookings.conftest import future_day

    body = {
        "station": "alpha",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "(404) 555-0142"},
        "address": "10 Peachtree St NE",
        "zip_code": "30303",
        "event_date": future_day(15).isoformat(),
        "slot": "18:00",
        "adults": 10,
        "children": 2,
    }
    body.update(overrides)
    return body


def _session_requests(server):
    return [req for req, _ in server.log if req.path == "/v1/checkout/sessions" and req.method == "POST"]


def test_api_booking_creates_the_deposit_session(app, client, kitchen, stripe_on, dbq):
    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json())
    before = datetime.now(UTC)
    response = client.post(API, json=_booking_body())
    after = datetime.now(UTC)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["deposit_url"] == f"http://localhost/pay/{created['public_token']}"

    # The job ran after the booking's commit (inline: no Redis) and called Stripe once.
    (sent,) = _session_requests(stripe_on)
    booking = dbq.scalar(select(Booking).where(Booking.reference == created["reference"]))
    form = sent.form
    assert sent.headers["Idempotency-Key"] == f"checkout-{booking.id}"
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert sent.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == str(booking.deposit_cents) == "10000"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][quantity]"] == "1"
    assert form["metadata[booking_id]"] == str(booking.id)
    assert form["metadata[station_id]"] == str(booking.station_id)
    assert form["payment_intent_data[metadata][booking_id]"] == str(booking.id)
    assert form["client_reference_id"] == str(booking.id)
    assert form["customer_email"] == "ada@example.com"
    assert (
        form["success_url"] == f"http://localhost/pay/{booking.public_token}/success?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert form["cancel_url"] == f"http://localhost/pay/{booking.public_token}/cancel"
    # A 24 h deadline is past Stripe's 24 h maximum: clamped just inside it.
    expires = datetime.fromtimestamp(int(form["expires_at"]), UTC)
    assert before + MAX_LIFETIME - timedelta(seconds=2) <= expires <= after + MAX_LIFETIME
    assert expires <= booking.deposit_due_at

    row = dbq.scalar(select(CheckoutSession).where(CheckoutSession.booking_id == booking.id))
    assert (row.status, row.stripe_session_id, row.attempt) == ("open", "cs_test_1", 1)
    assert row.url == "https://checkout.stripe.test/c/pay/cs_test_1"


def test_pay_page_reuses_the_open_session(app, client, kitchen, stripe_on):
    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json())
    created = client.post(API, json=_booking_body()).get_json()
    response = client.get(f"/pay/{created['public_token']}")
    assert response.status_code == 303
    assert response.location == "https://checkout.stripe.test/c/pay/cs_test_1"
    assert response.headers["Cache-Control"] == "no-store"
    assert len(_session_requests(stripe_on)) == 1  # no second session


def test_pay_page_makes_the_session_when_none_exists(app, client, make_booking, stripe_on, dbq):
    booking = make_booking()  # booked by staff before Stripe was configured: no job ran
    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json("cs_test_9"))
    response = client.get(f"/pay/{booking.public_token}")
    assert response.status_code == 303 and response.location.endswith("/cs_test_9")
    (sent,) = _session_requests(stripe_on)
    assert sent.headers["Idempotency-Key"] == f"checkout-{booking.id}"


def test_expiry_follows_the_deadline_inside_stripes_window():
    now = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)
    assert checkout_expiry(now + timedelta(hours=2), now) == now + timedelta(hours=2)
    assert checkout_expiry(now + timedelta(minutes=10), now) == now + MIN_LIFETIME  # Stripe's 30 min minimum
    assert checkout_expiry(now + timedelta(days=3), now) == now + MAX_LIFETIME  # and its 24 h maximum
    assert checkout_expiry(None, now) == now + MAX_LIFETIME


def test_a_stripe_outage_is_retried_with_the_same_key_and_parameters(app, client, kitchen, stripe_on, dbq):
    stripe_on.expect_oneshot_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "boom"}}, status=500
    )
    created = client.post(API, json=_booking_body()).get_json()
    assert created["deposit_url"]  # the booking stands; the session comes later
    booking = dbq.scalar(select(Booking).where(Booking.reference == created["reference"]))
    row = dbq.scalar(select(CheckoutSession).where(CheckoutSession.booking_id == booking.id))
    assert row.status == "creating" and "APIError" in row.last_error
    message = dbq.scalar(select(OutboxMessage).where(OutboxMessage.job == "payments.create_checkout_session"))
    assert message.dispatched_at is None  # the periodic relay tries again

    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json())
    with app.app_context():
        assert relay() == 1
    first, second = _session_requests(stripe_on)
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == f"checkout-{booking.id}"
    assert first.get_data() == second.get_data()  # Stripe refuses a reused key with other parameters
    assert dbq.get(CheckoutSession, row.id).status == "open"


def test_a_refused_session_shows_a_message_and_the_next_try_uses_a_new_key(app, client, make_booking, stripe_on, dbq):
    booking = make_booking()
    stripe_on.expect_oneshot_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "bad"}}, status=400
    )
    response = client.get(f"/pay/{booking.public_token}")
    assert response.status_code == 503 and b"not available right now" in response.data
    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json("cs_test_2"))
    assert client.get(f"/pay/{booking.public_token}").status_code == 303
    first, second = _session_requests(stripe_on)
    assert first.headers["Idempotency-Key"] == f"checkout-{booking.id}"
    assert second.headers["Idempotency-Key"] == f"checkout-{booking.id}-2"
    statuses = dbq.scalars(select(CheckoutSession.status).where(CheckoutSession.booking_id == booking.id))
    assert sorted(statuses) == ["failed", "open"]


def test_pay_pages_for_paid_closed_and_unknown_bookings(app, client, card_paid, make_booking, stripe_on):
    paid = client.get(f"/pay/{card_paid.public_token}")
    assert paid.status_code == 200 and b"Your deposit is received" in paid.data
    assert client.get("/pay/not-a-token-of-anything-at-all").status_code == 404
    assert client.get("/pay/x").status_code == 404
    booking = make_booking()
    thanks = client.get(f"/pay/{booking.public_token}/success?session_id=cs_test_1")
    assert thanks.status_code == 200 and b"Stripe is confirming your payment" in thanks.data
    cancelled = client.get(f"/pay/{booking.public_token}/cancel")
    assert cancelled.status_code == 200 and b"held until" in cancelled.data
    assert f'href="http://localhost/pay/{booking.public_token}"'.encode() in cancelled.data
    assert not _session_requests(stripe_on)


def test_without_a_key_deposits_are_recorded_by_staff(app, client, kitchen, as_role, dbq):
    assert not app.config.get("STRIPE_SECRET_KEY")
    created = client.post(API, json=_booking_body()).get_json()
    assert created["deposit_url"] is None
    assert dbq.count(OutboxMessage, OutboxMessage.job.like("payments.%")) == 0
    page = client.get(f"/pay/{created['public_token']}")
    assert page.status_code == 200 and b"records your" in page.data and b"by hand" in page.data
    booking = dbq.scalar(select(Booking).where(Booking.reference == created["reference"]))
    panel = as_role("staff").get(f"/s/alpha/bookings/{booking.id}")
    assert b"Card payments are not configured" in panel.data
    assert b"Record payment" in panel.data
    spec = client.get("/api/v1/openapi.json").get_json()
    assert (
        "records the deposit by hand"
        in spec["components"]["schemas"]["BookingCreated"]["properties"]["deposit_url"]["description"]
    )


def test_staff_booking_asks_for_the_session_too(app, kitchen, as_role, stripe_on, dbq):
    from tests.bookings.conftest import future_day

    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json())
    response = as_role("staff").post_form(
        "/s/alpha/bookings/new",
        {
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "phone": "(404) 555-0199",
            "address": "1 Navy Way",
            "zip_code": "30303",
            "event_date": future_day(20).isoformat(),
            "slot": "18:00",
            "adults": "10",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert len(_session_requests(stripe_on)) == 1
    panel = as_role("staff").get(response.location)
    assert b"/pay/" in panel.data and b"Card payments are not configured" not in panel.data


def test_api_booking_paid_through_checkout_is_confirmed_by_the_webhook(app, client, kitchen, stripe_on, dbq):
    """The whole card path: API booking, session, signed webhook, confirmation announced."""
    from tests.payments.conftest import event, post_event

    stripe_on.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session_json())
    created = client.post(API, json=_booking_body()).get_json()
    booking = dbq.scalar(select(Booking).where(Booking.reference == created["reference"]))
    paid = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "amount_total": 10000,
        "currency": "usd",
        "payment_intent": "pi_42",
        "metadata": {"booking_id": str(booking.id), "station_id": str(booking.station_id)},
    }
    assert post_event(client, event("checkout.session.completed", paid)).status_code == 200

    assert dbq.get(Booking, booking.id).status == "confirmed"
    row = dbq.scalar(select(CheckoutSession).where(CheckoutSession.booking_id == booking.id))
    assert (row.status, row.payment_intent) == ("complete", "pi_42")
    announced = dbq.scalars(
        select(OutboxMessage).where(OutboxMessage.job == "notifications.booking_event").order_by(OutboxMessage.id)
    )
    assert [m.payload["kind"] for m in announced] == ["created", "confirmed"]
    status = client.get(created["status_url"]).get_json()
    assert status["status"] == "confirmed" and status["deposit_paid"] is True
    assert b"Your deposit is received" in client.get(f"/pay/{booking.public_token}").data


def test_pay_page_after_the_deadline_makes_no_session(app, client, make_booking, stripe_on):
    from app.extensions import db
    from app.models.base import utcnow

    booking = make_booking()
    with app.app_context():
        db.session.get(Booking, booking.id).deposit_due_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = client.get(f"/pay/{booking.public_token}")
    assert page.status_code == 200 and b"deadline has passed" in page.data
    assert not _session_requests(stripe_on)


def test_the_link_for_messages(app, make_booking, card_paid, stripe_on):
    """app.notifications.compose looks up app.payments.services.checkout_url."""
    from app.payments.services import checkout_url

    booking = make_booking()
    with app.app_context():
        assert checkout_url(booking) == f"http://localhost/pay/{booking.public_token}"
        assert checkout_url(card_paid) is None  # confirmed: nothing to pay
        app.config["STRIPE_SECRET_KEY"] = None  # (monkeypatch puts the key back)
        assert checkout_url(booking) is None
