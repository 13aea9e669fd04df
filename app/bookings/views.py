"""Booking staff pages: list, calendar, booking page with its actions, new booking."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, g, make_response, render_template, request, url_for
from flask_login import current_user

from app.availability.services import chefs_free_for, slots
from app.bookings import bp, lifecycle, queries, services
from app.bookings.forms import discount_cents, form_errors, parse_booking_form, parse_party
from app.bookings.timeline import Actor
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.chef import Chef
from app.models.lead import Lead
from app.models.payment import MANUAL_METHODS, Payment
from app.payments import queries as payment_queries
from app.payments import services as payment_services
from app.payments.forms import amount_cents
from app.permissions import can, require
from app.tenancy import get_scoped_or_404, scoped
from app.web.formatting import local_time
from app.web.htmx import add_toast, is_htmx, redirect_after_mutation, render
from app.web.pagination import page_url_builder, paginate


@bp.get("/")
@require("bookings.view")
def index():
    """Bookings: search, filter, sort, paginate (HTMX partial updates)."""
    filters = queries.ListFilters.from_args(request.args)
    page = paginate(queries.booking_list(filters), per_page=25)
    chefs = db.session.scalars(scoped(Chef).order_by(Chef.name)).all()
    return render(
        "bookings/index.html",
        "bookings/_results.html",
        page=page,
        filters=filters,
        chefs=chefs,
        page_url=page_url_builder("bookings.index"),
        page_target="#booking-results",
        statuses=lifecycle.LABELS,
    )


@bp.get("/calendar")
@require("bookings.view")
def calendar():
    """Week or month by slot: booked / capacity, click a booking to open it."""
    view = "month" if request.args.get("view") == "month" else "week"
    today = queries.station_today(g.station, utcnow())
    try:
        anchor = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        anchor = today
    days = queries.calendar(g.station, view, anchor, with_bookings=(view == "week"))
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    prev_anchor = (anchor - step) if view == "week" else (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
    next_anchor = (anchor + step) if view == "week" else (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render(
        "bookings/calendar.html",
        "bookings/_calendar.html",
        days=days,
        view=view,
        anchor=anchor,
        today=today,
        prev_anchor=prev_anchor,
        next_anchor=next_anchor,
    )


def _panel_context(booking: Booking) -> dict:
    payments = db.session.scalars(
        scoped(Payment, Payment.booking_id == booking.id).order_by(Payment.created_at.desc())
    ).all()
    free_chefs = []
    if booking.holds_slot and can("bookings.edit"):
        free_chefs = chefs_free_for(g.station, booking.event_date, booking.slot_time)
        if booking.chef and booking.chef not in free_chefs:
            free_chefs = [booking.chef, *free_chefs]
    now = utcnow()
    return {
        "booking": booking,
        "payments": payments,
        "free_chefs": free_chefs,
        "methods": MANUAL_METHODS,
        "labels": lifecycle.LABELS,
        "can_move": {to: lifecycle.can_transition(booking, to) for to in lifecycle.LABELS},
        "started": now >= booking.starts_at,
        "refundable_now": lifecycle.refund_eligible(g.station, booking, now),
        "reschedule_remark": lifecycle.reschedule_policy(g.station, booking, now),
        **payment_queries.booking_card(booking),  # stripe_enabled, refunds, refund limits
    }


@bp.get("/<int:booking_id>")
@require("bookings.view")
def show(booking_id: int):
    """One booking: summary, price breakdown, payments, timeline and actions."""
    booking = get_scoped_or_404(Booking, booking_id)
    return render("bookings/show.html", "bookings/_panel.html", **_panel_context(booking))


def _after_action(booking: Booking, message: str):
    """Commit, then answer HTMX with the refreshed panel and a toast; forms with a 303."""
    db.session.commit()
    if is_htmx():
        db.session.refresh(booking)
        response = make_response(render_template("bookings/_panel.html", **_panel_context(booking)))
        return add_toast(response, message)
    flash(message, "success")
    return redirect_after_mutation(url_for("bookings.show", booking_id=booking.id))


def _refused(booking: Booking, error: DomainError):
    db.session.rollback()
    if is_htmx():
        response = make_response(
            render_template("bookings/_panel.html", error=error.message, **_panel_context(booking)), error.status
        )
        # htmx 2 does not swap 4xx bodies by default: show the message as a toast instead.
        return add_toast(response, error.message, "error")
    flash(error.message, "error")
    return redirect_after_mutation(url_for("bookings.show", booking_id=booking.id))


def _action(booking_id: int, fn, message: str):
    booking = get_scoped_or_404(Booking, booking_id)
    try:
        fn(booking, Actor.user(current_user))
    except DomainError as error:
        return _refused(booking, error)
    return _after_action(booking, message)


@bp.post("/<int:booking_id>/confirm")
@require("bookings.edit")
def confirm(booking_id: int):
    """Confirm a booking (deposit received some other way)."""
    return _action(booking_id, lifecycle.confirm, "Booking confirmed.")


@bp.post("/<int:booking_id>/complete")
@require("bookings.edit")
def complete(booking_id: int):
    """Mark the party as done."""
    return _action(booking_id, lifecycle.complete, "Marked completed.")


@bp.post("/<int:booking_id>/no-show")
@require("bookings.edit")
def no_show(booking_id: int):
    """Mark that nobody was there."""
    return _action(
        booking_id, lambda b, a: lifecycle.mark_no_show(b, a, note=request.form.get("note", "")), "Marked as a no-show."
    )


@bp.post("/<int:booking_id>/cancel")
@require("bookings.edit")
def cancel(booking_id: int):
    """Cancel with a reason; refund eligibility follows the policy."""
    return _action(
        booking_id,
        lambda b, a: lifecycle.cancel(g.station, b, a, reason=request.form.get("reason", "")),
        "Booking cancelled.",
    )


@bp.post("/<int:booking_id>/chef")
@require("bookings.edit")
def assign_chef(booking_id: int):
    """Assign a free chef (or none)."""
    raw = request.form.get("chef_id", "")
    chef = get_scoped_or_404(Chef, raw) if raw else None
    return _action(
        booking_id,
        lambda b, a: lifecycle.assign_chef(g.station, b, chef, a),
        f"Chef: {chef.name}." if chef else "Chef unassigned.",
    )


@bp.route("/<int:booking_id>/reschedule", methods=["GET", "POST"])
@require("bookings.edit")
def reschedule(booking_id: int):
    """Move the booking to another slot that still has room."""
    booking = get_scoped_or_404(Booking, booking_id)
    if request.method == "POST":
        # One radio "date|slot" from the page; separate fields from other clients.
        chosen_date, _, chosen_slot = request.form.get("choice", "").partition("|")
        try:
            new_date = date.fromisoformat(chosen_date or request.form.get("event_date", ""))
        except ValueError:
            return _refused(booking, ValidationFailed("Choose a new date and slot."))
        new_slot = chosen_slot or request.form.get("slot", "")
        remark_holder: list[str] = []

        def _do(b, a):
            remark_holder.append(
                lifecycle.reschedule(
                    g.station, b, a, new_date=new_date, new_slot=new_slot, note=request.form.get("note", "")
                )
            )

        message = f"Moved to {new_date:%a %d %b} at {new_slot}."
        response = _action(booking_id, _do, message)
        if remark_holder and remark_holder[0]:
            flash(f"Outside the free reschedule policy: {remark_holder[0]}", "warning")
        return response
    try:
        start = date.fromisoformat(request.args.get("from", ""))
    except ValueError:
        start = queries.station_today(g.station, utcnow())
    options = [s for s in slots(g.station, start, start + timedelta(days=27)) if s.bookable]
    return render(
        "bookings/reschedule.html",
        "bookings/_reschedule_options.html",
        booking=booking,
        options=options,
        start=start,
        remark=lifecycle.reschedule_policy(g.station, booking, utcnow()),
    )


@bp.post("/<int:booking_id>/payments")
@require("payments.record")
def record_payment(booking_id: int):
    """Record cash, Venmo, Zelle... received for this booking."""
    try:
        amount = round(float((request.form.get("amount") or "0").strip().lstrip("$")) * 100)
    except ValueError:
        amount = -1
    return _action(
        booking_id,
        lambda b, a: lifecycle.record_payment(
            b,
            a,
            amount_cents=amount,
            method=request.form.get("method", ""),
            kind=request.form.get("kind", "deposit"),
            note=request.form.get("note", ""),
        ),
        "Payment recorded.",
    )


@bp.post("/<int:booking_id>/refunds")
@require("payments.refund")
def refund(booking_id: int):
    """Refund money paid: back to the card through Stripe, or paid back by hand."""
    by_card = request.form.get("method") == "card"
    return _action(
        booking_id,
        lambda b, a: payment_services.refund(
            b,
            a,
            amount_cents=amount_cents(request.form.get("amount")),
            method=request.form.get("method", ""),
            reason=request.form.get("reason", ""),
        ),
        "Refund requested from Stripe." if by_card else "Refund recorded.",
    )


@bp.post("/<int:booking_id>/notes")
@require("bookings.edit")
def add_note(booking_id: int):
    """Add a note to the timeline."""
    return _action(booking_id, lambda b, a: lifecycle.add_note(b, a, request.form.get("note", "")), "Note added.")


# --- new booking (phone) --------------------------------------------------------------


@bp.get("/quote")
@require("bookings.view")
def live_quote():
    """The price of the party in the form, as it is typed (fragment)."""
    try:
        party = parse_party(request.args, g.station.settings)
        priced = services.price(
            g.station,
            party,
            zip_code=(request.args.get("zip_code") or "").strip() or None,
            discount_cents=discount_cents(request.args),
        )
    except DomainError as error:
        return render_template("bookings/_quote.html", quote=None, error=error.message)
    return render_template("bookings/_quote.html", quote=priced, error=None)


@bp.route("/new", methods=["GET", "POST"])
@require("bookings.edit")
def new():
    """Take a booking on the phone, with the live quote beside the form."""
    values = request.form if request.method == "POST" else request.args
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = parse_booking_form(request.form, g.station.slug, g.station.settings)
            booking = services.create_booking(
                g.station,
                data,
                actor=Actor.user(current_user),
                source=data.source,
                ip_address=request.remote_addr,
            )
            if request.form.get("lead_id"):
                # "Convert to booking" from a lead page: link both and mark the lead won.
                from app.leads.conversion import link_booking  # leads build on bookings: imported late

                link_booking(get_scoped_or_404(Lead, request.form["lead_id"]), booking, actor=current_user)
            db.session.commit()
            due = local_time(booking.deposit_due_at, "%a %d %b %H:%M")
            flash(f"Booking {booking.reference} created; deposit due by {due}.", "success")
            return redirect_after_mutation(url_for("bookings.show", booking_id=booking.id))
        except DomainError as error:
            db.session.rollback()
            errors = form_errors(error)
            flash(error.message, "error")
    today = queries.station_today(g.station, utcnow())
    return render_template(
        "bookings/new.html",
        values=values,
        errors=errors,
        settings=g.station.settings,
        min_date=(today + timedelta(days=1)).isoformat(),
    ), (422 if errors else 200)
