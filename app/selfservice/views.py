"""The customer's "manage my booking" page: /b/<manage token>, no account needed.

Phone-first, server-rendered; every form is a plain POST answered by `finish_mutation`
(a flash and 303 back to the page, or the page again with the refusal and its status).
The token is the secret: a wrong or re-issued one is a plain 404, and pages are never cached.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for

from app.bookings import lifecycle, slot_picker
from app.bookings.ics import booking_ics
from app.errors import DomainError
from app.extensions import db, limiter
from app.integrations import stripe_enabled
from app.jobs.registry import TransientError
from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.station import Station
from app.payments import checkout
from app.selfservice import bp, rules
from app.selfservice.forms import CancelForm, GuestsForm, MessageForm, SlotChoiceForm
from app.web.formatting import money
from app.web.forms import read_form
from app.web.htmx import finish_mutation

CHANNEL = "manage page"


def _load(token: str) -> tuple[Booking, Station]:
    found = rules.booking_for_token(token)
    if found is None:
        abort(404)
    return found


def _limit() -> str:
    return current_app.config.get("MANAGE_PAGE_RATELIMIT", "30 per minute")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # the token in the URL is the booking's secret
    return response


def _picker(token: str, booking: Booking, station: Station, start: date) -> slot_picker.SlotPicker:
    def url(day: date) -> str:
        return url_for("manage.slots", manage_token=token, **{"from": day.isoformat()})

    return slot_picker.build(station, start, url, current=(booking.event_date, booking.slot_time))


def _page(token: str, booking: Booking, station: Station, error: DomainError | None = None, status: int = 200):
    now = utcnow()
    today = slot_picker.station_today(station, now)
    allowed = {item.action: item for item in rules.allowed_actions(station, booking, now)}
    context = {
        "token": token,
        "booking": booking,
        "station": station,
        "settings": station.settings,
        "status_label": lifecycle.LABELS[BookingStatus(booking.status)],
        "allowed": allowed,
        "refund": rules.refund_preview(station, booking, now),
        "balance_due_on": rules.balance_due_at(station, booking),
        "picker": _picker(token, booking, station, today) if allowed["reschedule"].allowed else None,
        "paid_cents": max(booking.paid_cents - booking.refunded_cents, 0),
        "stripe_enabled": stripe_enabled(),
        "error": error.message if error is not None else None,
        "errors": error.fields if error is not None else {},
        "confirm_cancel": request.args.get("confirm") == "cancel",
        "back_from_stripe": request.args.get("paid") == "1",
    }
    return _no_store(make_response(render_template("selfservice/manage.html", **context), status))


def _mutation(token: str, change) -> Response:
    booking, station = _load(token)
    back = url_for("manage.page", manage_token=token)
    try:
        message = change(booking, station)
    except DomainError as error:
        return _no_store(finish_mutation(error, back=back, page=lambda e: _page(token, booking, station, e, e.status)))
    return _no_store(finish_mutation(message, back=back))


@bp.get("/b/<manage_token>")
@limiter.limit(_limit, scope="manage-pages")
def page(manage_token: str):
    """The customer's booking: when, where, guests, money, policies and what they can do."""
    booking, station = _load(manage_token)
    return _page(manage_token, booking, station)


@bp.get("/b/<manage_token>/slots")
@limiter.limit(_limit, scope="manage-pages")
def slots(manage_token: str):
    """The slot picker from `from` (fragment), for moving the party."""
    booking, station = _load(manage_token)
    start = slot_picker.parse_start(request.args.get("from"), slot_picker.station_today(station))
    picker = _picker(manage_token, booking, station, start)
    return _no_store(make_response(render_template("components/_slot_picker.html", picker=picker)))


@bp.post("/b/<manage_token>/reschedule")
@limiter.limit(_limit, scope="manage-pages")
def reschedule(manage_token: str):
    """Move the party to the slot picked."""

    def change(booking: Booking, station: Station) -> str:
        day, slot = read_form(SlotChoiceForm).picked()
        rules.reschedule(station, booking, new_date=day, new_slot=slot, channel=CHANNEL)
        return f"Your party is moved to {day:%A %d %B} at {slot}. We sent you a confirmation."

    return _mutation(manage_token, change)


@bp.post("/b/<manage_token>/guests")
@limiter.limit(_limit, scope="manage-pages")
def guests(manage_token: str):
    """A new guest count, re-priced."""

    def change(booking: Booking, station: Station) -> str:
        form = read_form(GuestsForm)
        booking = rules.change_guests(station, booking, adults=form.adults, children=form.children, channel=CHANNEL)
        total = money(booking.total_cents, booking.currency, station.settings.locale)
        return f"Guests updated: {booking.guests}. The new total is {total}."

    return _mutation(manage_token, change)


@bp.post("/b/<manage_token>/cancel")
@limiter.limit(_limit, scope="manage-pages")
def cancel(manage_token: str):
    """Cancel the party (the page showed what is refunded before this)."""

    def change(booking: Booking, station: Station) -> str:
        refund = rules.cancel(station, booking, channel=CHANNEL, reason=read_form(CancelForm).reason)
        return f"Your booking is cancelled. {refund.text}"

    return _mutation(manage_token, change)


@bp.post("/b/<manage_token>/message")
@limiter.limit(_limit, scope="manage-pages")
def message(manage_token: str):
    """A message to the station, into its inbox."""

    def change(booking: Booking, station: Station) -> str:
        rules.message_station(station, booking, body=read_form(MessageForm).body, channel=CHANNEL)
        return f"Your message is with {station.name}. They will answer by email or text."

    return _mutation(manage_token, change)


@bp.get("/b/<manage_token>/pay")
@limiter.limit(_limit, scope="manage-pages")
def pay(manage_token: str):
    """To Stripe Checkout for the balance; without card payments, how to pay by hand."""
    booking, station = _load(manage_token)
    back = url_for("manage.page", manage_token=manage_token)
    allowed = next(item for item in rules.allowed_actions(station, booking) if item.action == "pay_balance")
    if not allowed.allowed:
        flash(allowed.reason, "error")
        return _no_store(redirect(back, code=303))
    if not stripe_enabled():
        methods = station.settings.payment_methods_text()
        flash(f"Card payment is not available online: pay {station.name} by hand ({methods}); they record it.")
        return _no_store(redirect(back, code=303))
    try:
        link = checkout.ensure_checkout(booking.id, kind="balance")
    except (TransientError, DomainError):
        db.session.rollback()
        flash("Card payment is not available right now. Please try again in a few minutes.", "error")
        return _no_store(redirect(back, code=303))
    if link is None:
        flash("Nothing is left to pay.")
        return _no_store(redirect(back, code=303))
    return _no_store(redirect(link.url, code=303))


@bp.get("/b/<manage_token>/calendar.ics")
@limiter.limit(_limit, scope="manage-pages")
def calendar(manage_token: str):
    """The party as an .ics file for the customer's calendar."""
    booking, station = _load(manage_token)
    response = make_response(booking_ics(booking, station))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="{booking.reference}.ics"'
    return _no_store(response)
