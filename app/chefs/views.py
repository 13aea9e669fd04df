"""Chef pages: the chef list with capacity, profiles, availability, time off, blackouts,
schedules and printable event sheets (see app/chefs/__init__.py)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.chefs import bp, queries, services
from app.chefs.forms import BlackoutForm, ChefForm, TimeOffForm, WindowForm, form_errors
from app.customers.contact import display_phone
from app.errors import Conflict, DomainError, ValidationFailed
from app.extensions import db
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.permissions import can, require
from app.tenancy import get_scoped_or_404
from app.web.htmx import add_toast, fragment_or_redirect, is_htmx, redirect_after_mutation, render

CAPACITY_CHANGED = "capacity-changed"  # the capacity preview reloads itself on this event


def _today():
    return queries.station_today(g.station)


def _trigger(response: Response, event: str) -> Response:
    triggers = json.loads(response.headers.get("HX-Trigger", "{}") or "{}")
    triggers[event] = True
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def _refused(error: DomainError, fallback_url: str) -> Response:
    """HTMX: the message with 422/409 (app.js shows it); forms: flash and go back."""
    db.session.rollback()
    if is_htmx():
        return make_response(render_template("errors/_inline.html", message=error.message), error.status)
    flash(error.message, "error")
    return redirect(fallback_url, code=303)


def _invalid(form) -> ValidationFailed:
    return ValidationFailed("Check the form: " + form_errors(form))


def _fragment(template: str, message: str, *, capacity: bool = False, **context) -> Response:
    response = add_toast(make_response(render_template(template, **context)), message)
    return _trigger(response, CAPACITY_CHANGED) if capacity else response


# --- the chef list ----------------------------------------------------------------------


@bp.get("/")
@require("chefs.view")
def index():
    """Chefs with upcoming events and weekly windows; time-off requests; blackouts; capacity."""
    today = _today()
    return render_template(
        "chefs/index.html",
        rows=queries.chef_rows(g.station_id, today),
        pending=queries.pending_time_off(g.station_id),
        blackouts=queries.blackouts(g.station_id, today),
        preview=queries.capacity_preview(g.station, today),
        blackout_form=BlackoutForm(),
        weekdays=services.WEEKDAYS,
        today=today,
    )


@bp.get("/capacity")
@require("chefs.view")
def capacity():
    """Capacity of the next two weeks by slot (the chef page reloads it after changes)."""
    preview = queries.capacity_preview(g.station, _today())
    return render("chefs/capacity.html", "chefs/_capacity.html", preview=preview)


# --- profiles ---------------------------------------------------------------------------


def _chef_form(chef: Chef | None = None) -> ChefForm:
    form = ChefForm(obj=chef)
    form.offer_users(services.linkable_users(g.station_id, chef))
    return form


def _save_chef(form: ChefForm, chef: Chef | None):
    """Validate and save; returns the chef, or None after putting errors on the form."""
    if not form.validate_on_submit():
        return None
    try:
        if chef is None:
            chef = services.create_chef(g.station_id, form.data_for_service())
        else:
            services.update_chef(chef, form.data_for_service())
    except DomainError as error:
        db.session.rollback()
        for name, message in error.fields.items():
            if name in form:
                form[name].errors = [*form[name].errors, message]
        flash(error.message, "error")
        return None
    db.session.commit()
    return chef


@bp.route("/new", methods=["GET", "POST"])
@require("chefs.manage")
def new():
    """Add a chef to this station."""
    form = _chef_form()
    chef = _save_chef(form, None) if request.method == "POST" else None
    if chef is not None:
        flash(f"{chef.name} added. Set their weekly availability next.", "success")
        return redirect(url_for("chefs.edit", chef_id=chef.id), code=303)
    return render_template("chefs/form.html", form=form, chef=None), (422 if form.errors else 200)


@bp.route("/<int:chef_id>/edit", methods=["GET", "POST"])
@require("chefs.manage")
def edit(chef_id: int):
    """A chef's details, weekly availability windows and time off."""
    chef = get_scoped_or_404(Chef, chef_id)
    form = _chef_form(chef)
    if request.method == "POST" and _save_chef(form, chef) is not None:
        flash(f"{chef.name} saved.", "success")
        return redirect(url_for("chefs.edit", chef_id=chef.id), code=303)
    return render_template(
        "chefs/form.html",
        form=form,
        chef=chef,
        window_form=WindowForm(),
        time_off_form=TimeOffForm(),
        deciders=queries.deciders(chef.time_off),
        weekdays=services.WEEKDAYS,
    ), (422 if form.errors else 200)


# --- weekly availability windows --------------------------------------------------------


def _windows_fragment(chef: Chef, message: str) -> Response:
    return _fragment(
        "chefs/_windows.html",
        message,
        capacity=True,
        chef=chef,
        window_form=WindowForm(formdata=None),
        weekdays=services.WEEKDAYS,
    )


@bp.post("/<int:chef_id>/windows")
@require("chefs.manage")
def add_window(chef_id: int):
    """Add a weekly availability window."""
    chef = get_scoped_or_404(Chef, chef_id)
    back = url_for("chefs.edit", chef_id=chef.id)
    form = WindowForm()
    try:
        if not form.validate_on_submit():
            raise _invalid(form)
        window = services.add_window(chef, form.weekday.data, form.starts.data, form.ends.data)
    except DomainError as error:
        return _refused(error, back)
    db.session.commit()
    message = f"{services.WEEKDAYS[window.weekday]} {window.starts:%H:%M}–{window.ends:%H:%M} added."
    return fragment_or_redirect(lambda: _windows_fragment(chef, message), message, back, "success")


@bp.post("/windows/<int:window_id>/remove")
@require("chefs.manage")
def remove_window(window_id: int):
    """Remove a weekly availability window."""
    window = get_scoped_or_404(AvailabilityWindow, window_id)
    chef = window.chef
    services.remove_window(window)
    db.session.commit()
    message = "Window removed."
    back = url_for("chefs.edit", chef_id=chef.id)
    return fragment_or_redirect(lambda: _windows_fragment(chef, message), message, back)


# --- schedules --------------------------------------------------------------------------


def _schedule_page(chef: Chef | None, *, own: bool):
    today = _today()
    context = {"chef": chef, "own": own, "weekdays": services.WEEKDAYS, "today": today}
    if chef is not None:
        context.update(
            events=queries.upcoming_events(chef, today),
            windows=queries.windows_by_weekday(chef.windows),
            deciders=queries.deciders(chef.time_off),
            time_off_form=TimeOffForm(formdata=None),
        )
    return render_template("chefs/schedule.html", **context)


@bp.get("/me")
@require("chefs.own_schedule")
def my_schedule():
    """The signed-in chef's upcoming events, availability and time-off requests."""
    chef = services.chef_for_user(g.station_id, current_user.id)
    if chef is not None:
        chef = queries.chef_with_schedule(g.station_id, chef.id)
    return _schedule_page(chef, own=True)


@bp.get("/<int:chef_id>")
@require("chefs.view")
def schedule(chef_id: int):
    """One chef's upcoming events, availability and time off."""
    chef = queries.chef_with_schedule(g.station_id, chef_id)
    if chef is None:
        abort(404)
    return _schedule_page(chef, own=False)


# --- time off ---------------------------------------------------------------------------


def _time_off_fragment(chef: Chef, message: str, *, own: bool) -> Response:
    return _fragment(
        "chefs/_time_off.html",
        message,
        chef=chef,
        own=own,
        deciders=queries.deciders(chef.time_off),
        time_off_form=TimeOffForm(formdata=None),
    )


@bp.post("/me/time-off")
@require("chefs.own_schedule")
def request_time_off():
    """A chef asks for days off (a manager decides)."""
    chef = services.chef_for_user(g.station_id, current_user.id)
    back = url_for("chefs.my_schedule")
    form = TimeOffForm()
    try:
        if chef is None:
            raise Conflict("Your account is not linked to a chef profile here yet: ask your manager.")
        if not form.validate_on_submit():
            raise _invalid(form)
        entry = services.request_time_off(
            chef, form.first_day.data, form.last_day.data, form.reason.data, today=_today()
        )
    except DomainError as error:
        return _refused(error, back)
    db.session.commit()
    message = f"Time off {entry.first_day:%d %b}–{entry.last_day:%d %b} requested. A manager will decide."
    return fragment_or_redirect(lambda: _time_off_fragment(chef, message, own=True), message, back, "success")


@bp.post("/<int:chef_id>/time-off")
@require("chefs.manage")
def record_time_off(chef_id: int):
    """A manager enters approved time off for a chef."""
    chef = get_scoped_or_404(Chef, chef_id)
    back = url_for("chefs.edit", chef_id=chef.id)
    form = TimeOffForm()
    try:
        if not form.validate_on_submit():
            raise _invalid(form)
        services.record_time_off(
            chef, form.first_day.data, form.last_day.data, form.reason.data, today=_today(), actor_id=current_user.id
        )
    except DomainError as error:
        return _refused(error, back)
    db.session.commit()
    flash(f"Time off recorded for {chef.name}.", "success")
    return redirect_after_mutation(back)


BACK_TO = {
    "index": lambda entry: url_for("chefs.index"),
    "schedule": lambda entry: url_for("chefs.schedule", chef_id=entry.chef_id),
    "edit": lambda entry: url_for("chefs.edit", chef_id=entry.chef_id),
}


@bp.post("/time-off/<int:time_off_id>/decide")
@require("chefs.manage")
def decide_time_off(time_off_id: int):
    """Approve or reject a time-off request (approved time off lowers capacity)."""
    entry = get_scoped_or_404(TimeOff, time_off_id)
    back = BACK_TO.get(request.form.get("back", ""), BACK_TO["index"])(entry)
    try:
        clashes = services.decide_time_off(entry, request.form.get("decision", ""), actor_id=current_user.id)
    except DomainError as error:
        return _refused(error, back)
    db.session.commit()
    message = f"{entry.chef.name}'s time off {entry.first_day:%d %b}–{entry.last_day:%d %b} {entry.status}."
    level = "success"
    if clashes:
        refs = ", ".join(b.reference for b in clashes)
        message += f" They are assigned to {len(clashes)} event(s) in those days ({refs}): reassign them."
        level = "warning"
    if is_htmx():
        response = make_response(render_template("chefs/_pending.html", pending=queries.pending_time_off(g.station_id)))
        return _trigger(add_toast(response, message, level), CAPACITY_CHANGED)
    flash(message, level)
    return redirect(back, code=303)


# --- blackout dates ---------------------------------------------------------------------


def _blackouts_fragment(message: str, level: str = "success") -> Response:
    response = make_response(
        render_template(
            "chefs/_blackouts.html",
            blackouts=queries.blackouts(g.station_id, _today()),
            blackout_form=BlackoutForm(formdata=None),
        )
    )
    return _trigger(add_toast(response, message, level), CAPACITY_CHANGED)


@bp.post("/blackouts")
@require("chefs.manage")
def add_blackout():
    """Close the station for a day (no slot can be booked)."""
    back = url_for("chefs.index")
    form = BlackoutForm()
    try:
        if not form.validate_on_submit():
            raise _invalid(form)
        blackout = services.add_blackout(g.station_id, form.day.data, form.reason.data, today=_today())
    except DomainError as error:
        return _refused(error, back)
    db.session.commit()
    message, level = f"{blackout.day:%a %d %b %Y} blacked out.", "success"
    held = queries.bookings_held_on(g.station_id, blackout.day)
    if held:
        message += f" {held} booking(s) that day still stand: move or cancel them."
        level = "warning"
    return fragment_or_redirect(lambda: _blackouts_fragment(message, level), message, back, level)


@bp.post("/blackouts/<int:blackout_id>/remove")
@require("chefs.manage")
def remove_blackout(blackout_id: int):
    """Open a blacked-out day again."""
    blackout = get_scoped_or_404(Blackout, blackout_id)
    day = blackout.day
    services.remove_blackout(blackout)
    db.session.commit()
    message = f"{day:%a %d %b %Y} is open again."
    return fragment_or_redirect(lambda: _blackouts_fragment(message), message, url_for("chefs.index"), "success")


# --- printable event sheet --------------------------------------------------------------


@bp.get("/events/<int:booking_id>/sheet")
# Every role of the station passes this gate; the view narrows: the team sees every
# booking's sheet, a chef only those of events assigned to them.
@require("chefs.event_sheet")
def event_sheet(booking_id: int):
    """What the chef needs at the party: address, guests, menu, allergies, balance due."""
    booking = get_scoped_or_404(Booking, booking_id)
    if not can("bookings.view"):
        if not can("chefs.own_schedule"):
            abort(403)
        # A chef sees only their own events; others' look like they do not exist.
        chef = services.chef_for_user(g.station_id, current_user.id)
        if chef is None or booking.chef_id != chef.id:
            abort(404)
    upgrades, add_ons = queries.menu_lines(g.station, booking)
    return render_template(
        "chefs/event_sheet.html", booking=booking, upgrades=upgrades, add_ons=add_ons, display_phone=display_phone
    )
