"""The station's team page: managers invite and manage staff and chefs."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_login import current_user

from app.errors import DomainError
from app.models.user import Membership
from app.permissions import require
from app.team import bp, services
from app.team.forms import InviteForm, RoleForm, role_choices
from app.team.services import ASSIGNABLE
from app.tenancy import get_scoped_or_404
from app.web.forms import read_form
from app.web.htmx import finish_mutation


def _assignable() -> list:
    return sorted(ASSIGNABLE[g.role] - {"owner"}, key=lambda r: r.value)


@bp.get("/")
@require("team.view")
def index():
    """Everyone with a role at this station."""
    return render_template(
        "team/index.html",
        members=services.station_members(g.station_id),
        role_choices=role_choices(_assignable()),
        role_form_choices=[(r.value, r.value.title()) for r in ASSIGNABLE[g.role] if r != "owner"],
        assignable=ASSIGNABLE[g.role],
    )


def _done(outcome: str | DomainError):
    return finish_mutation(outcome, back=url_for("team.index"))


@bp.post("/invite")
@require("team.manage")
def invite():
    """Add a person to this station's team (new people get an email to set a password)."""
    try:
        form = read_form(InviteForm)
        user, _membership, _email = services.invite_user(
            email=form.email, name=form.name, role=form.role, station_id=g.station_id, actor_role=g.role
        )
    except DomainError as error:
        return _done(error)
    # _done commits; the invitation email goes out after that commit (outbox).
    return _done(f"{user.name} is on the team.")


@bp.post("/<int:membership_id>/role")
@require("team.manage")
def change_role(membership_id: int):
    """Change a team member's role."""
    membership = get_scoped_or_404(Membership, membership_id)
    try:
        role = read_form(RoleForm).role
        services.change_role(membership, role, actor_role=g.role, actor_id=current_user.id)
    except DomainError as error:
        return _done(error)
    return _done(f"{membership.user.name} is now {membership.role}.")


@bp.post("/<int:membership_id>/remove")
@require("team.manage")
def remove(membership_id: int):
    """Take a person off this station's team (their account stays)."""
    membership = get_scoped_or_404(Membership, membership_id)
    name = membership.user.name
    try:
        services.remove_membership(membership, actor_role=g.role, actor_id=current_user.id)
    except DomainError as error:
        return _done(error)
    return _done(f"{name} is no longer on this station's team.")
