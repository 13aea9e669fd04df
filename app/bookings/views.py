"""Booking staff pages: list, calendar, booking page with its actions, new booking."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from flask import g, render_template, request, url_for
from flask_login import current_user

from app.bookings import bp, lifecycle, queries, services, slot_picker
from app.bookings.forms import (
    CancelForm,
    ChefChoiceForm,
    DiscountForm,
    NoteForm,
    PaymentForm,
    RescheduleForm,
    form_errors,
    parse_booking_form,
    parse_party,
)
from app.bookings.pages import act, answer, panel_context
from app.bookings.timeline import Actor
from app.errors import DomainError
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.chef import Chef
from app.models.lead import Lead
from app.permissions import require
from app.tenancy import get_scoped_or_404, scoped
from app.web.formatting import local_time
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render
from app.web.pagination import page_url_builder, paginate


@bp.get("/")
@require("bookings.view")
def index():
    """Bookings: search, filter, sort, paginate (HTMX partial updates)."""
    filters = queries.ListFilters.from_args(request.args)
    today = queries.station_today(g.station, utcnow())
    page = paginate(queries.booking_list(filters, station=g.station, today=today), per_page=25)
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


@bp.get("/<int:booking_id>")
@require("bookings.view")
def show(booking_id: int):
    """One booking: summary, price breakdown, payments, timeline and actions."""
    booking = get_scoped_or_404(Booking, booking_id)
    return render("bookings/show.html", "bookings/_panel.html", **panel_context(booking))


@bp.post("/<int:booking_id>/confirm")
@require("bookings.edit")
def confirm(booking_id: int):
    """Confirm a booking (deposit received some other way)."""
    return act(booking_id, lifecycle.confirm, "Booking confirmed.")


@bp.post("/<int:booking_id>/complete")
@require("bookings.edit")
def complete(booking_id: int):
    """Mark the party as done."""
    return act(booking_id, lifecycle.complete, "Marked completed.")


@bp.post("/<int:booking_id>/no-show")
@require("bookings.edit")
def no_show(booking_id: int):
    """Mark that nobody was there."""
    return act(
        booking_id,
        lambda b, a: lifecycle.mark_no_show(b, a, note=read_form(NoteForm).note),
        "Marked as a no-show.",
    )


@bp.post("/<int:booking_id>/cancel")
@require("bookings.edit")
def cancel(booking_id: int):
    """Cancel with a reason; refund eligibility follows the policy."""
    return act(
        booking_id,
        lambda b, a: lifecycle.cancel(g.station, b, a, reason=read_form(CancelForm).reason),
        "Booking cancelled.",
    )


@bp.post("/<int:booking_id>/chef")
@require("bookings.edit")
def assign_chef(booking_id: int):
    """Assign a free chef (or none)."""
    booking = get_scoped_or_404(Booking, booking_id)
    try:
        chef_id = read_form(ChefChoiceForm).chef_id
        chef = get_scoped_or_404(Chef, chef_id) if chef_id else None
        lifecycle.assign_chef(g.station, booking, chef, Actor.user(current_user))
    except DomainError as error:
        return answer(booking, error)
    return answer(booking, f"Chef: {chef.name}." if chef else "Chef unassigned.")


def _staff_picker(start: date, *, selected: str = "", booking: Booking | None = None) -> slot_picker.SlotPicker:
    """The slot picker of the staff forms; its Earlier/Later buttons redraw it through `slot_picker_fragment`."""
    booking_id = booking.id if booking is not None else None

    def url(day: date) -> str:
        return url_for("bookings.slot_picker_fragment", **{"from": day.isoformat(), "booking": booking_id})

    current = (booking.event_date, booking.slot_time) if booking is not None else None
    return slot_picker.build(g.station, start, url, selected=selected, current=current)


@bp.get("/slots")
@require("bookings.view")
def slot_picker_fragment():
    """The slot picker from `from` (fragment); `booking`: whose current slot is shown, not offered."""
    today = slot_picker.station_today(g.station)
    booking_id = request.args.get("booking", type=int)
    booking = get_scoped_or_404(Booking, booking_id) if booking_id else None
    picker = _staff_picker(slot_picker.parse_start(request.args.get("from"), today), booking=booking)
    return render_template("components/_slot_picker.html", picker=picker)


@bp.route("/<int:booking_id>/reschedule", methods=["GET", "POST"])
@require("bookings.edit")
def reschedule(booking_id: int):
    """Move the booking to another slot that still has room (picked in the slot picker)."""
    booking = get_scoped_or_404(Booking, booking_id)
    if request.method == "POST":
        try:
            form = read_form(RescheduleForm)
            new_date, new_slot = form.new_slot()
            remark = lifecycle.reschedule(
                g.station, booking, Actor.user(current_user), new_date=new_date, new_slot=new_slot, note=form.note
            )
        except DomainError as error:
            return answer(booking, error)
        message = f"Moved to {new_date:%a %d %b} at {new_slot}."
        if remark:
            return answer(booking, f"{message} Outside the free reschedule policy: {remark}", level="warning")
        return answer(booking, message)
    today = slot_picker.station_today(g.station)
    start = slot_picker.parse_start(request.args.get("from"), today)
    return render_template(
        "bookings/reschedule.html",
        booking=booking,
        picker=_staff_picker(start, booking=booking),
        remark=lifecycle.reschedule_policy(g.station, booking, utcnow()),
    )


@bp.post("/<int:booking_id>/payments")
@require("payments.record")
def record_payment(booking_id: int):
    """Record cash, Venmo, Zelle... received for this booking."""

    def _record(booking, actor):
        form = read_form(PaymentForm)
        lifecycle.record_payment(
            booking, actor, amount_cents=form.amount, method=form.method, kind=form.kind, note=form.note
        )

    return act(booking_id, _record, "Payment recorded.")


@bp.post("/<int:booking_id>/manage-link")
@require("bookings.edit")
def reissue_manage_link(booking_id: int):
    """A new link for the customer's own page; the old one stops working (a forwarded email, a lost phone)."""
    return act(booking_id, lifecycle.reissue_manage_token, "New manage link made: the old one no longer works.")


@bp.post("/<int:booking_id>/notes")
@require("bookings.edit")
def add_note(booking_id: int):
    """Add a note to the timeline."""
    return act(booking_id, lambda b, a: lifecycle.add_note(b, a, read_form(NoteForm).note), "Note added.")


# --- new booking (phone) --------------------------------------------------------------


@bp.get("/quote")
@require("bookings.view")
def live_quote():
    """The price of the party in the form, as it is typed (fragment)."""
    try:
        party = parse_party(request.args, g.station.settings)
        with services.zip_errors_named():
            priced = services.price(
                g.station,
                party,
                zip_code=(request.args.get("zip_code") or "").strip() or None,
                discount_cents=read_form(DiscountForm, request.args).discount,
            )
    except DomainError as error:
        return render_template("bookings/_quote.html", quote=None, error=error.message)
    return render_template("bookings/_quote.html", quote=priced, error=None)


def _booking_form(values, error: DomainError | None = None) -> str:
    """The form with what was typed, and the error's messages beside the fields."""
    errors = form_errors(error) if error is not None else {}
    today = slot_picker.station_today(g.station)
    # The picker opens on the date asked for (a lead's date, the slot picked before a refusal).
    selected = values.get("choice") or ""
    start = slot_picker.parse_start(selected.partition("|")[0] or values.get("event_date"), today)
    return render_template(
        "bookings/new.html",
        values=values,
        errors=errors,
        settings=g.station.settings,
        picker=_staff_picker(start, selected=selected),
    )


@bp.route("/new", methods=["GET", "POST"])
@require("bookings.edit")
def new():
    """Take a booking on the phone, with the live quote beside the form."""
    if request.method == "GET":
        return _booking_form(request.args)
    try:
        data, lead_id = parse_booking_form(request.form, g.station.slug, g.station.settings)
        # "Convert to booking" from a lead page: the booking wins that lead.
        lead = get_scoped_or_404(Lead, lead_id) if lead_id else None
        booking = services.create_booking(
            g.station,
            data,
            actor=Actor.user(current_user),
            source=data.source,
            ip_address=request.remote_addr,
            lead=lead,
        )
    except DomainError as error:
        return finish_mutation(error, back=url_for("bookings.new"), page=partial(_booking_form, request.form))
    due = local_time(booking.deposit_due_at, "%a %d %b %H:%M")
    message = f"Booking {booking.reference} created; deposit due by {due}."
    return finish_mutation(message, back=url_for("bookings.show", booking_id=booking.id))
