"""The station's team page: managers invite and manage staff and chefs."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from app.errors import DomainError
from app.extensions import db
from app.models.user import Membership
from app.permissions import require
from app.team import bp, services
from app.team.forms import InviteForm, RoleForm
from app.team.services import ASSIGNABLE
from app.tenancy import get_scoped_or_404
from app.web.htmx import redirect_after_mutation


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.limit_roles(sorted(ASSIGNABLE[g.role] - {"owner"}, key=lambda r: r.value))
    return form


@bp.get("/")
@require("team.view")
def index():
    """Everyone with a role at this station."""
    members = services.station_members(g.station_id)
    role_form = RoleForm()
    role_form.role.choices = [(r.value, r.value.title()) for r in ASSIGNABLE[g.role] if r != "owner"]
    return render_template(
        "team/index.html",
        members=members,
        form=_invite_form(),
        role_form=role_form,
        assignable=ASSIGNABLE[g.role],
    )


@bp.post("/invite")
@require("team.manage")
def invite():
    """Add a person to this station's team (new people get an email to set a password)."""
    form = _invite_form()
    if not form.validate_on_submit():
        flash("Check the invitation: " + "; ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect_after_mutation(url_for("team.index"))
    try:
        user, _membership, _email = services.invite_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            station_id=g.station_id,
            actor_role=g.role,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect_after_mutation(url_for("team.index"))
    db.session.commit()  # the invitation email goes out after this commit (outbox)
    flash(f"{user.name} is on the team.", "success")
    return redirect_after_mutation(url_for("team.index"))


@bp.post("/<int:membership_id>/role")
@require("team.manage")
def change_role(membership_id: int):
    """Change a team member's role."""
    membership = get_scoped_or_404(Membership, membership_id)
    form = RoleForm()
    form.role.choices = [(r.value, r.value) for r in ASSIGNABLE[g.role]]
    try:
        if not form.validate_on_submit():
            raise DomainError("Choose a role you may give.")
        services.change_role(membership, form.role.data, actor_role=g.role, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect_after_mutation(url_for("team.index"))
    db.session.commit()
    flash(f"{membership.user.name} is now {membership.role}.", "success")
    return redirect_after_mutation(url_for("team.index"))


@bp.post("/<int:membership_id>/remove")
@require("team.manage")
def remove(membership_id: int):
    """Take a person off this station's team (their account stays)."""
    membership = get_scoped_or_404(Membership, membership_id)
    name = membership.user.name
    try:
        services.remove_membership(membership, actor_role=g.role, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect_after_mutation(url_for("team.index"))
    db.session.commit()
    flash(f"{name} is no longer on this station's team.", "success")
    return redirect(url_for("team.index"), code=303)
