"""Chef pages: the chef list with capacity, profiles, availability, time off, blackouts,
schedules and printable event sheets (see app/chefs/__init__.py)."""

from __future__ import annotations

from functools import partial

from flask import abort, g, render_template, request, url_for
from flask_login import current_user

from app.chefs import bp, queries, services
from app.chefs.forms import BlackoutForm, ChefForm, DecisionForm, TimeOffForm, WindowForm
from app.customers.contact import display_phone
from app.errors import Conflict, DomainError
from app.models.booking import Booking
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.permissions import can, require
from app.tenancy import get_scoped_or_404
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render

CAPACITY_CHANGED = "capacity-changed"  # the capacity preview reloads itself on this event
WEEKDAY_CHOICES = list(enumerate(services.WEEKDAYS))


def _today():
    return queries.station_today(g.station)


def _typed(error: DomainError | None, prefix: str) -> dict:
    """What was typed and the messages, for the fragment's form after a refusal."""
    if error is None:
        return {}
    return {f"{prefix}_values": request.form, f"{prefix}_errors": error.fields, f"{prefix}_error": error.message}


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


def _chef_page(chef: Chef | None, values, error: DomainError | None = None) -> str:
    users = services.linkable_users(g.station_id, chef)
    context = {"chef": chef, "values": values, "errors": error.fields if error else {}}
    context["user_choices"] = [("", "— no account —")] + [(u.id, f"{u.name} ({u.email})") for u in users]
    if chef is not None:
        context.update(
            deciders=queries.deciders(chef.time_off),
            weekdays=services.WEEKDAYS,
            weekday_choices=WEEKDAY_CHOICES,
        )
    return render_template("chefs/form.html", **context)


@bp.route("/new", methods=["GET", "POST"])
@require("chefs.manage")
def new():
    """Add a chef to this station."""
    if request.method == "GET":
        return _chef_page(None, ChefForm.values_of(None))
    try:
        chef = services.create_chef(g.station_id, read_form(ChefForm).data_for_service())
    except DomainError as error:
        return finish_mutation(error, back=url_for("chefs.new"), page=partial(_chef_page, None, request.form))
    message = f"{chef.name} added. Set their weekly availability next."
    return finish_mutation(message, back=url_for("chefs.edit", chef_id=chef.id))


@bp.route("/<int:chef_id>/edit", methods=["GET", "POST"])
@require("chefs.manage")
def edit(chef_id: int):
    """A chef's details, weekly availability windows and time off."""
    chef = get_scoped_or_404(Chef, chef_id)
    back = url_for("chefs.edit", chef_id=chef.id)
    if request.method == "GET":
        return _chef_page(chef, ChefForm.values_of(chef))
    try:
        services.update_chef(chef, read_form(ChefForm).data_for_service())
    except DomainError as error:
        return finish_mutation(error, back=back, page=partial(_chef_page, chef, request.form))
    return finish_mutation(f"{chef.name} saved.", back=back)


# --- weekly availability windows --------------------------------------------------------


def _windows(chef: Chef):
    def fragment(error: DomainError | None) -> str:
        return render_template(
            "chefs/_windows.html",
            chef=chef,
            weekdays=services.WEEKDAYS,
            weekday_choices=WEEKDAY_CHOICES,
            **_typed(error, "window"),
        )

    return fragment


@bp.post("/<int:chef_id>/windows")
@require("chefs.manage")
def add_window(chef_id: int):
    """Add a weekly availability window."""
    chef = get_scoped_or_404(Chef, chef_id)
    back = url_for("chefs.edit", chef_id=chef.id)
    try:
        form = read_form(WindowForm)
        window = services.add_window(chef, form.weekday, form.starts, form.ends)
    except DomainError as error:
        return finish_mutation(error, back=back, fragment=_windows(chef))
    message = f"{services.WEEKDAYS[window.weekday]} {window.starts:%H:%M}–{window.ends:%H:%M} added."
    return finish_mutation(message, back=back, fragment=_windows(chef), events=[CAPACITY_CHANGED])


@bp.post("/windows/<int:window_id>/remove")
@require("chefs.manage")
def remove_window(window_id: int):
    """Remove a weekly availability window."""
    window = get_scoped_or_404(AvailabilityWindow, window_id)
    chef = window.chef
    services.remove_window(window)
    back = url_for("chefs.edit", chef_id=chef.id)
    return finish_mutation("Window removed.", back=back, fragment=_windows(chef), events=[CAPACITY_CHANGED])


# --- schedules --------------------------------------------------------------------------


def _schedule_page(chef: Chef | None, *, own: bool):
    today = _today()
    context = {"chef": chef, "own": own, "weekdays": services.WEEKDAYS, "today": today}
    if chef is not None:
        context.update(
            events=queries.upcoming_events(chef, today),
            windows=queries.windows_by_weekday(chef.windows),
            deciders=queries.deciders(chef.time_off),
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


def _own_time_off(chef: Chef | None):
    if chef is None:  # no chef profile: no list to refresh, the toast says why
        return None

    def fragment(error: DomainError | None) -> str:
        context = {"chef": chef, "own": True, "deciders": queries.deciders(chef.time_off)}
        return render_template("chefs/_time_off.html", **context, **_typed(error, "time_off"))

    return fragment


@bp.post("/me/time-off")
@require("chefs.own_schedule")
def request_time_off():
    """A chef asks for days off (a manager decides)."""
    chef = services.chef_for_user(g.station_id, current_user.id)
    back = url_for("chefs.my_schedule")
    try:
        if chef is None:
            raise Conflict("Your account is not linked to a chef profile here yet: ask your manager.")
        form = read_form(TimeOffForm)
        entry = services.request_time_off(chef, form.first_day, form.last_day, form.reason, today=_today())
    except DomainError as error:
        return finish_mutation(error, back=back, fragment=_own_time_off(chef))
    message = f"Time off {entry.first_day:%d %b}–{entry.last_day:%d %b} requested. A manager will decide."
    return finish_mutation(message, back=back, fragment=_own_time_off(chef))


@bp.post("/<int:chef_id>/time-off")
@require("chefs.manage")
def record_time_off(chef_id: int):
    """A manager enters approved time off for a chef."""
    chef = get_scoped_or_404(Chef, chef_id)
    back = url_for("chefs.edit", chef_id=chef.id)
    try:
        form = read_form(TimeOffForm)
        services.record_time_off(
            chef, form.first_day, form.last_day, form.reason, today=_today(), actor_id=current_user.id
        )
    except DomainError as error:
        return finish_mutation(error, back=back)
    return finish_mutation(f"Time off recorded for {chef.name}.", back=back)


BACK_TO = {
    "index": lambda entry: url_for("chefs.index"),
    "schedule": lambda entry: url_for("chefs.schedule", chef_id=entry.chef_id),
    "edit": lambda entry: url_for("chefs.edit", chef_id=entry.chef_id),
}


def _pending(error: DomainError | None) -> str:
    return render_template("chefs/_pending.html", pending=queries.pending_time_off(g.station_id))


@bp.post("/time-off/<int:time_off_id>/decide")
@require("chefs.manage")
def decide_time_off(time_off_id: int):
    """Approve or reject a time-off request (approved time off lowers capacity)."""
    entry = get_scoped_or_404(TimeOff, time_off_id)
    form = read_form(DecisionForm)
    back = BACK_TO.get(form.back, BACK_TO["index"])(entry)
    try:
        clashes = services.decide_time_off(entry, form.decision, actor_id=current_user.id)
    except DomainError as error:
        return finish_mutation(error, back=back, fragment=_pending)
    message = f"{entry.chef.name}'s time off {entry.first_day:%d %b}–{entry.last_day:%d %b} {entry.status}."
    level = "success"
    if clashes:
        refs = ", ".join(b.reference for b in clashes)
        message += f" They are assigned to {len(clashes)} event(s) in those days ({refs}): reassign them."
        level = "warning"
    return finish_mutation(message, back=back, fragment=_pending, level=level, events=[CAPACITY_CHANGED])


# --- blackout dates ---------------------------------------------------------------------


def _blackouts(error: DomainError | None) -> str:
    blackouts = queries.blackouts(g.station_id, _today())
    return render_template("chefs/_blackouts.html", blackouts=blackouts, **_typed(error, "blackout"))


@bp.post("/blackouts")
@require("chefs.manage")
def add_blackout():
    """Close the station for a day (no slot can be booked)."""
    back = url_for("chefs.index")
    try:
        form = read_form(BlackoutForm)
        blackout = services.add_blackout(g.station_id, form.day, form.reason, today=_today())
    except DomainError as error:
        return finish_mutation(error, back=back, fragment=_blackouts)
    message, level = f"{blackout.day:%a %d %b %Y} blacked out.", "success"
    held = queries.bookings_held_on(g.station_id, blackout.day)
    if held:
        message += f" {held} booking(s) that day still stand: move or cancel them."
        level = "warning"
    return finish_mutation(message, back=back, fragment=_blackouts, level=level, events=[CAPACITY_CHANGED])


@bp.post("/blackouts/<int:blackout_id>/remove")
@require("chefs.manage")
def remove_blackout(blackout_id: int):
    """Open a blacked-out day again."""
    blackout = get_scoped_or_404(Blackout, blackout_id)
    day = blackout.day
    services.remove_blackout(blackout)
    message = f"{day:%a %d %b %Y} is open again."
    return finish_mutation(message, back=url_for("chefs.index"), fragment=_blackouts, events=[CAPACITY_CHANGED])


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
