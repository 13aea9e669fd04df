"""Payment test fixtures: the isolated world, a station with chefs, bookings, and Stripe
pointed at a local fake (pytest-httpserver) through the real SDK."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe

from app.bookings.services import create_booking, request_deposit_checkout
from app.bookings.timeline import Actor
from app.extensions import db
from app.models.booking import Booking
from app.payments import services
from tests.bookings.conftest import booking_request, kitchen  # noqa: F401
from tests.support import dbq_fixture, isolated_world, session_as_role  # noqa: F401

WEBHOOK_SECRET = "whsec_test_secret"
SECRET_KEY = "sk_test_teppan"


@pytest.fixture
def webhooks_on(app, monkeypatch):
    """Webhooks verified with WEBHOOK_SECRET (card payments may still be off)."""
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)


@pytest.fixture
def stripe_on(app, monkeypatch, httpserver, webhooks_on):
    """Card payments on, the SDK talking to the local fake server; returns the server."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", httpserver.url_for("/").rstrip("/"))
    return httpserver


def session_json(session_id: str = "cs_test_1", **extra: Any) -> dict[str, Any]:
    body = {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "status": "open",
        "payment_status": "unpaid",
        "payment_intent": None,
        "url": f"https://checkout.stripe.test/c/pay/{session_id}",
    }
    body.update(extra)
    return body


def refund_json(refund_id: str = "re_1", **extra: Any) -> dict[str, Any]:
    body = {
        "id": refund_id,
        "object": "refund",
        "amount": 10000,
        "currency": "usd",
        "status": "pending",
        "payment_intent": "pi_1",
        "metadata": {},
    }
    body.update(extra)
    return body


def signed(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """(body, headers) the way Stripe sends them, signed by the library's own helper."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp or int(time.time()))
    return body, {"Stripe-Signature": header, "Content-Type": "application/json"}


def event(event_type: str, obj: dict[str, Any], event_id: str = "evt_1") -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "livemode": False,
        "created": int(time.time()),
        "api_version": "2025-01-27.acacia",
        "data": {"object": obj},
    }


def completed_session(booking: Booking, **extra: Any) -> dict[str, Any]:
    obj = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": booking.deposit_cents,
        "currency": "usd",
        "payment_intent": "pi_1",
        "client_reference_id": str(booking.id),
        "metadata": {"booking_id": str(booking.id), "station_id": str(booking.station_id)},
    }
    obj.update(extra)
    return obj


def post_event(client, payload: dict[str, Any], **kwargs):
    body, headers = signed(payload, **kwargs)
    return client.post("/webhooks/stripe", data=body, headers=headers)


@pytest.fixture
def make_booking(app, kitchen):  # noqa: F811 - the fixture imported above
    """make_booking(**overrides) -> a committed booking of station alpha, detached."""
    station, _ = kitchen
    days = iter(range(14, 60))

    def _make(*, checkout: bool = False, **overrides: Any) -> Booking:
        with app.test_request_context():
            from tests.bookings.conftest import future_day

            overrides.setdefault("event_date", future_day(next(days)).isoformat())
            booking = create_booking(
                db.session.merge(station), booking_request(**overrides), actor=Actor.customer("api"), source="api"
            )
            if checkout:
                request_deposit_checkout(booking)
            db.session.commit()
            db.session.refresh(booking)
            db.session.expunge(booking)
            return booking

    return _make


@pytest.fixture
def card_paid(app, make_booking):
    """A booking whose deposit was paid by card (PaymentIntent pi_1), confirmed."""
    booking = make_booking()
    with app.test_request_context():
        locked = services.lock_booking(booking.id)
        services.record_card_payment(locked, amount_cents=locked.deposit_cents, currency="usd", payment_intent="pi_1")
        db.session.commit()
        db.session.refresh(locked)
        db.session.expunge(locked)
        return locked
