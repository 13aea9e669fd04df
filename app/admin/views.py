"""Owner pages: stations, users and their roles, the audit log, sent messages."""

from __future__ import annotations

from functools import partial

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.admin import bp, services
from app.admin.forms import US_TIMEZONES, StationForm
from app.errors import DomainError
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.station import Station
from app.models.user import Membership, Role, User
from app.permissions import require
from app.team import services as team_services
from app.team.forms import ROLE_LABELS, ActiveForm, InviteForm, MembershipForm, ProfileForm, role_choices
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render
from app.web.pagination import page_url_builder, paginate
from app.web.params import int_arg, page_arg

# --- stations -------------------------------------------------------------------------


@bp.get("/stations")
@require("admin.stations")
def stations():
    """All stations with their team size."""
    rows = db.session.execute(
        select(Station, func.count(Membership.id))
        .outerjoin(Membership, Membership.station_id == Station.id)
        .group_by(Station.id)
        .order_by(Station.name)
    ).all()
    return render_template("admin/stations.html", rows=rows)


def _station_form(station: Station | None, values, error: DomainError | None = None) -> str:
    return render_template(
        "admin/station_form.html",
        station=station,
        values=values,
        errors=error.fields if error else {},
        timezones=[(tz, tz) for tz in US_TIMEZONES],
    )


@bp.route("/stations/new", methods=["GET", "POST"])
@require("admin.stations")
def new_station():
    """Open a new station."""
    if request.method == "GET":
        return _station_form(None, StationForm.values_of(None))
    try:
        station = services.create_station(read_form(StationForm).data_for_service())
    except DomainError as error:
        back = url_for("admin.new_station")
        return finish_mutation(error, back=back, page=partial(_station_form, None, request.form))
    message = f"{station.name} is open. Adjust its settings next."
    return finish_mutation(message, back=url_for("settings.edit", station_slug=station.slug))


@bp.route("/stations/<int:station_id>/edit", methods=["GET", "POST"])
@require("admin.stations")
def edit_station(station_id: int):
    """Change a station's name, address, timezone or active flag."""
    station = db.session.get(Station, station_id) or abort(404)
    if request.method == "GET":
        return _station_form(station, StationForm.values_of(station))
    try:
        services.update_station(station, read_form(StationForm).data_for_service())
    except DomainError as error:
        back = url_for("admin.edit_station", station_id=station.id)
        return finish_mutation(error, back=back, page=partial(_station_form, station, request.form))
    return finish_mutation("Station saved.", back=url_for("admin.stations"))


# --- users ----------------------------------------------------------------------------


def _invite_choices() -> dict:
    stations = db.session.scalars(select(Station).order_by(Station.name))
    return {
        "role_choices": role_choices(list(Role)),
        "station_choices": [(0, "—")] + [(s.id, s.name) for s in stations],
    }


@bp.get("/users")
@require("admin.users")
def users():
    """Everyone with an account, searchable."""
    q = (request.args.get("q") or "").strip()
    stmt = select(User).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    page = paginate(stmt)
    return render(
        "admin/users.html",
        "admin/_users_table.html",
        page=page,
        q=q,
        page_url=page_url_builder("admin.users"),
        page_target="#users-table",
        **_invite_choices(),
    )


@bp.post("/users/invite")
@require("admin.users")
def invite_user():
    """Give someone a role (new people get an email to choose a password)."""
    try:
        form = read_form(InviteForm)
        user, _membership, _email = team_services.invite_user(
            email=form.email, name=form.name, role=form.role, station_id=form.station_id or None, actor_role=Role.OWNER
        )
    except DomainError as error:
        return finish_mutation(error, back=url_for("admin.users"))
    # finish_mutation commits; the invitation email goes out after that commit (outbox).
    return finish_mutation(
        f"{user.name} now has the {form.role} role.", back=url_for("admin.user_detail", user_id=user.id)
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("admin.users")
def user_detail(user_id: int):
    """A person's profile, memberships and account status."""
    user = db.session.get(User, user_id) or abort(404)
    back = url_for("admin.user_detail", user_id=user.id)
    if request.method == "POST":
        try:
            form = read_form(ProfileForm)
            team_services.update_profile(user, name=form.name, email=form.email)
        except DomainError as error:
            return finish_mutation(error, back=back)
        return finish_mutation("Profile saved.", back=back)
    return render_template("admin/user_detail.html", user=user, role_labels=ROLE_LABELS, **_invite_choices())


@bp.post("/users/<int:user_id>/memberships/<int:membership_id>")
@require("admin.users")
def update_membership(user_id: int, membership_id: int):
    """Change or remove one of a person's roles."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != user_id:
        abort(404)
    try:
        form = read_form(MembershipForm)
        if form.action == "remove":
            team_services.remove_membership(membership, actor_role=Role.OWNER, actor_id=current_user.id)
        else:
            team_services.change_role(membership, form.role, actor_role=Role.OWNER, actor_id=current_user.id)
    except DomainError as error:
        return finish_mutation(error, back=url_for("admin.user_detail", user_id=user_id))
    return finish_mutation("Roles saved.", back=url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@require("admin.users")
def set_active(user_id: int):
    """Deactivate (signs out everywhere) or reactivate an account."""
    user = db.session.get(User, user_id) or abort(404)
    back = url_for("admin.user_detail", user_id=user_id)
    try:
        team_services.set_active(user, read_form(ActiveForm).active, actor_id=current_user.id)
    except DomainError as error:
        return finish_mutation(error, back=back)
    return finish_mutation(f"{user.name} is {'active' if user.is_active_flag else 'deactivated'}.", back=back)


# --- audit and messages ---------------------------------------------------------------


@bp.get("/audit")
@require("admin.audit")
def audit_log():
    """Who did what, newest first, filterable by station, action and person."""
    stmt = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    station_id = int_arg(request.args, "station")
    action = (request.args.get("action") or "").strip()
    actor = (request.args.get("actor") or "").strip().lower()
    if station_id:
        stmt = stmt.where(AuditEntry.station_id == station_id)
    if action:
        stmt = stmt.where(AuditEntry.action.like(f"{action}%"))
    if actor:
        stmt = stmt.join(User, User.id == AuditEntry.actor_id).where(func.lower(User.email).like(f"%{actor}%"))
    stations = db.session.scalars(select(Station).order_by(Station.name)).all()
    return render(
        "admin/audit.html",
        "admin/_audit_table.html",
        page=paginate(stmt, per_page=50),
        stations=stations,
        filters={"station": station_id, "action": action, "actor": actor},
        page_url=page_url_builder("admin.audit_log"),
        page_target="#audit-table",
    )


@bp.get("/messages")
@require("admin.audit")
def sent_messages():
    """Every email and SMS the app sent, recorded, is sending, holds back or could not send."""
    from app.notifications.queries import STATUS_LABELS, STATUSES, status_counts
    from app.notifications.queries import sent_messages as sent_messages_page

    channel = request.args.get("channel", "")
    status = request.args.get("status", "")
    station_id = int_arg(request.args, "station")
    stations = db.session.scalars(select(Station).order_by(Station.name)).all()
    return render_template(
        "notifications/messages.html",
        filter_endpoint="admin.sent_messages",
        page=sent_messages_page(page=page_arg(), channel=channel, status=status, station_id=station_id),
        counts=status_counts(station_id=station_id),
        filters={"channel": channel, "status": status, "station": station_id},
        statuses=STATUSES,
        status_labels=STATUS_LABELS,
        stations=stations,
        zones={station.id: station.timezone for station in stations},  # each row on its station's clock
        page_url=page_url_builder("admin.sent_messages"),
        page_target="main",
    )
