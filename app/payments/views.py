"""Payment pages and the Stripe webhook (see app/payments/__init__.py).

Station: /s/<slug>/payments, the ledger of payments and refunds.
Public: /pay/<token> (to Stripe Checkout, or why not), its success and cancel pages,
and POST /webhooks/stripe.
"""

from __future__ import annotations

import json
import logging

from flask import abort, current_app, g, jsonify, make_response, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.bookings.lifecycle import LABELS
from app.bookings.pages import answer, panel_card
from app.bookings.timeline import Actor
from app.errors import DomainError
from app.extensions import db, limiter
from app.integrations import stripe_enabled
from app.jobs.registry import TransientError
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.payment import CARD_METHOD, MANUAL_METHODS, Payment
from app.models.station import Station
from app.models.user import User
from app.payments import bp, checkout, events, queries, services, stripe_client
from app.payments import jobs as _jobs  # noqa: F401 - registers the payment jobs
from app.payments import public_bp as public
from app.payments.forms import METHODS, LedgerFilters, RefundForm
from app.permissions import require
from app.tenancy import get_scoped_or_404, scoped
from app.web.forms import read_form
from app.web.htmx import render
from app.web.pagination import page_url_builder

log = logging.getLogger(__name__)

TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_WEBHOOK_BYTES = 512 * 1024


@bp.get("/payments/")
@require("payments.view")
def index():
    """Payments and refunds of the station, with filters, totals and balances due."""
    filters = LedgerFilters.from_args(request.args)
    page, totals = queries.ledger_page(g.station, filters)
    return render(
        "payments/index.html",
        "payments/_ledger.html",
        page=page,
        totals=totals,
        filters=filters,
        methods=METHODS,
        stripe_enabled=stripe_enabled(),
        currency=g.station.settings.currency,
        page_url=page_url_builder("payments.index"),
        page_target="#ledger",
    )


# -- the booking page's Payments card ----------------------------------------------------


@panel_card
def _payments_card(booking: Booking) -> dict:
    payments = db.session.scalars(
        scoped(Payment, Payment.booking_id == booking.id)
        .options(joinedload(Payment.recorded_by).lazyload(User.memberships))  # a name, not their stations
        .order_by(Payment.created_at.desc())
    ).all()
    return {"payments": payments, "methods": MANUAL_METHODS, **queries.booking_card(booking, payments)}


@bp.post("/bookings/<int:booking_id>/refunds")
@require("payments.refund")
def refund(booking_id: int):
    """Refund money paid: back to the card through Stripe, or paid back by hand."""
    booking = get_scoped_or_404(Booking, booking_id)
    try:
        form = read_form(RefundForm)
        services.refund(
            booking, Actor.user(current_user), amount_cents=form.amount, method=form.method, reason=form.reason
        )
    except DomainError as error:
        return answer(booking, error)
    return answer(booking, "Refund requested from Stripe." if form.method == CARD_METHOD else "Refund recorded.")


# -- public pages --------------------------------------------------------------------------


def _booking_by_token(public_token: str) -> tuple[Booking, Station]:
    booking = None
    if 16 <= len(public_token) <= 64 and set(public_token) <= TOKEN_CHARS:
        booking = db.session.scalar(select(Booking).where(Booking.public_token == public_token))
    if booking is None:
        abort(404)
    return booking, db.session.get(Station, booking.station_id)


def _page(booking: Booking, station: Station, state: str, status: int = 200):
    response = make_response(
        render_template(
            "payments/public.html",
            booking=booking,
            station=station,
            state=state,
            status_label=LABELS[BookingStatus(booking.status)],
            pay_link=checkout.pay_url(booking.public_token),
            stripe_enabled=stripe_enabled(),
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # the token in the URL is the booking's secret
    return response


def _public_limit() -> str:
    return current_app.config.get("PAY_PAGE_RATELIMIT", "30 per minute")


@public.get("/pay/<public_token>")
@limiter.limit(_public_limit, scope="pay-pages")
def pay(public_token: str):
    """Send the customer to Stripe Checkout for the deposit (made now if needed)."""
    booking, station = _booking_by_token(public_token)
    if booking.status != BookingStatus.PENDING_DEPOSIT.value:
        return _page(booking, station, "paid" if booking.holds_slot else "closed")
    if not stripe_enabled():
        return _page(booking, station, "manual")
    if not checkout.payable(booking, utcnow()):
        return _page(booking, station, "too_late" if checkout.amount_due(booking) else "covered")
    try:
        link = checkout.ensure_checkout(booking.id)
    except (TransientError, DomainError):
        log.warning("no checkout session for booking %s", booking.id, exc_info=True)
        db.session.rollback()
        return _page(booking, station, "unavailable", 503)
    if link is None:  # the booking changed meanwhile
        db.session.refresh(booking)
        return _page(booking, station, "closed")
    response = redirect(link.url, code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


@public.get("/pay/<public_token>/success")
@limiter.limit(_public_limit, scope="pay-pages")
def pay_success(public_token: str):
    """Back from Stripe after paying: the webhook confirms the booking."""
    booking, station = _booking_by_token(public_token)
    return _page(booking, station, "thanks")


@public.get("/pay/<public_token>/cancel")
@limiter.limit(_public_limit, scope="pay-pages")
def pay_cancel(public_token: str):
    """Back from Stripe without paying: the booking waits until its deadline."""
    booking, station = _booking_by_token(public_token)
    return _page(booking, station, "cancelled" if booking.status == BookingStatus.PENDING_DEPOSIT.value else "closed")


# -- webhook -------------------------------------------------------------------------------


def _refuse(message: str, status: int = 400):
    return jsonify(error={"code": "webhook_refused", "message": message}), status


@public.post("/webhooks/stripe")
def stripe_webhook():
    """Stripe events: signature checked, stored once by id, processed by a job; 200 fast."""
    secret = stripe_client.webhook_secret()
    if not secret:
        return _refuse("Stripe webhooks are not configured here.")
    if (request.content_length or 0) > MAX_WEBHOOK_BYTES:
        return _refuse("Payload too large.", 413)
    payload = request.get_data(cache=False)  # the raw bytes: the signature covers exactly these
    if len(payload) > MAX_WEBHOOK_BYTES:
        return _refuse("Payload too large.", 413)
    import stripe  # on first use (see app.payments.stripe_client)

    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature"), secret)
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        return _refuse("Invalid signature.")
    except ValueError:
        return _refuse("Invalid payload.")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        return _refuse("Not a Stripe event.")
    outcome = events.store_event(event)
    return jsonify(status=outcome, id=event["id"]), 200
