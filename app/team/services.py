"""Users and memberships: invite, change roles, remove, deactivate (flush, never commit)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app import audit, mail
from app.auth.services import end_all_sessions, find_user_by_email, make_reset_token, normalise_email
from app.errors import Conflict, NotAllowed, ValidationFailed
from app.extensions import db
from app.models.station import Station
from app.models.user import Membership, Role, User
from app.web.urls import public_url

# Who may hand out which role: managers build their station's team, owners anything.
ASSIGNABLE = {
    Role.OWNER: {Role.OWNER, Role.MANAGER, Role.STAFF, Role.CHEF},
    Role.MANAGER: {Role.STAFF, Role.CHEF},
}


def _check_assignable(actor_role: Role, role: Role) -> None:
    if role not in ASSIGNABLE.get(actor_role, set()):
        raise NotAllowed(f"A {actor_role.value} cannot give the {role.value} role.")


def _parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationFailed("Unknown role.", fields={"role": "Choose a role from the list."}) from None


def invite_user(
    *, email: str, name: str, role: str, station_id: int | None, actor_role: Role
) -> tuple[User, Membership, int | None]:
    """Add a membership, creating the user when new. Returns (user, membership, email id).

    A new user gets an email with a link to choose a password; an existing user is
    simply given the role (they already sign in).
    """
    role_value = _parse_role(role)
    _check_assignable(actor_role, role_value)
    if role_value == Role.OWNER:
        station_id = None
    elif station_id is None:
        raise ValidationFailed("Choose a station.", fields={"station_id": "Required."})
    email = normalise_email(email)
    if not email or "@" not in email:
        raise ValidationFailed("Enter a valid email.", fields={"email": "Enter a valid email."})

    user = find_user_by_email(email)
    created = user is None
    if created:
        user = User(email=email, name=name.strip() or email, password_hash=None)
        db.session.add(user)
        db.session.flush()
    elif any(m.station_id == station_id for m in user.memberships):
        raise Conflict(f"{user.email} is already on this team. Change their role instead.")

    membership = Membership(user=user, station_id=station_id, role=role_value.value)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        "membership.added",
        membership,
        station_id=station_id,
        after={"user": user.email, "role": role_value.value, "new_user": created},
    )
    email_id = None
    if created:
        station = db.session.get(Station, station_id) if station_id else None
        email_id = mail.queue_email(
            to=user.email,
            template="invitation",
            kind="invitation",
            station_id=station_id,
            user=user,
            role=role_value.value,
            station=station,
            set_password_url=public_url("auth.reset_password", token=make_reset_token(user)),
            max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
        ).id
    return user, membership, email_id


def change_role(membership: Membership, role: str, *, actor_role: Role, actor_id: int) -> None:
    new_role = _parse_role(role)
    _check_assignable(actor_role, new_role)
    _check_assignable(actor_role, Role(membership.role))  # a manager cannot demote a manager
    if membership.user_id == actor_id:
        raise NotAllowed("You cannot change your own role.")
    if (new_role == Role.OWNER) != (membership.role == Role.OWNER):
        raise ValidationFailed("Owner is business-wide: add or remove it from the Users page.")
    before = membership.role
    membership.role = new_role.value
    end_all_sessions(membership.user)  # the next request signs in again, under the new role
    audit.record("membership.role_changed", membership, before={"role": before}, after={"role": new_role.value})


def remove_membership(membership: Membership, *, actor_role: Role, actor_id: int) -> None:
    _check_assignable(actor_role, Role(membership.role))
    if membership.user_id == actor_id:
        raise NotAllowed("You cannot remove yourself.")
    if membership.role == Role.OWNER and _owner_count() <= 1:
        raise Conflict("This is the last owner: add another owner first.")
    audit.record("membership.removed", membership, before={"user_id": membership.user_id, "role": membership.role})
    end_all_sessions(membership.user)
    db.session.delete(membership)


def _owner_count() -> int:
    return len(
        db.session.scalars(
            select(Membership.id).join(User).where(Membership.role == Role.OWNER, User.is_active_flag)
        ).all()
    )


def set_active(user: User, active: bool, *, actor_id: int) -> None:
    """Deactivate (signs the user out everywhere) or reactivate an account."""
    if user.id == actor_id:
        raise NotAllowed("You cannot deactivate your own account.")
    if not active and user.is_owner and _owner_count() <= 1:
        raise Conflict("This is the last active owner.")
    if user.is_active_flag == active:
        return
    user.is_active_flag = active
    end_all_sessions(user)  # deactivated: out everywhere; reactivated: no old cookie comes back
    audit.record(
        "user.activated" if active else "user.deactivated",
        user,
        station_id=None,
        before={"active": not active},
        after={"active": active},
    )


def update_profile(user: User, *, name: str, email: str) -> None:
    email, name = normalise_email(email), (name or "").strip()
    # The profile form posts free text: a blank email would lock the person out (and a
    # second blank one collide on the unique index), an over-long one fail in the database.
    fields = {}
    if not name or len(name) > 120:
        fields["name"] = "Enter a name (up to 120 characters)."
    if "@" not in email or len(email) > 255:
        fields["email"] = "Enter a valid email."
    if fields:
        raise ValidationFailed("Check the profile: " + " ".join(fields.values()), fields=fields)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise Conflict("Another account uses that email.", fields={"email": "Already in use."})
    before = audit.snapshot(user, ["name", "email"])
    if email != user.email:
        end_all_sessions(user)  # a reset link mailed to the former address stops working
    user.name, user.email = name.strip(), email
    after = audit.snapshot(user, ["name", "email"])
    if before != after:
        old, new = audit.changed(before, after)
        audit.record("user.updated", user, station_id=None, before=old, after=new)


def station_members(station_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User)
            .where(Membership.station_id == station_id)
            .order_by(Membership.role, User.name)
        )
    )
