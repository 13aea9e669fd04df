"""Authentication and password changes (flush, never commit)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from app import audit, mail
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.extensions import db
from app.models.base import utcnow
from app.models.user import User, new_session_token
from app.web.urls import public_url

RESET_SALT = "teppan.password-reset"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    """Rotate the token every login cookie and reset link of `user` carries: all of them stop working.

    Called on sign-out, password change or reset, role change, membership removal,
    deactivation and email change, so a copied session or "remember me" cookie (or a
    reset link mailed to a former address) is worthless afterwards.
    """
    user.session_token = new_session_token()


def set_password(user: User, new_password: str, *, action: str = "user.password_changed") -> None:
    """Store a new password and rotate the session token: every other session ends."""
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit.record(action, user, entity_type="User", station_id=None, actor_id=user.id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    # The session token is in the payload: a used or superseded link stops working.
    return _serializer().dumps({"uid": user.id, "st": user.session_token})


def user_from_reset_token(token: str) -> tuple[User | None, str | None]:
    """(user, None) for a valid token, else (None, why)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        return None, "This reset link has expired. Ask for a new one."
    except BadSignature:
        return None, "This reset link is not valid."
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or user.session_token != data.get("st"):
        return None, "This reset link has already been used or is no longer valid."
    return user, None


def request_password_reset(email: str) -> int | None:
    """Queue a reset email when the account exists; the id of the queued email or None.

    The caller answers the same either way, so the form does not reveal accounts.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    token = make_reset_token(user)
    message = mail.queue_email(
        to=user.email,
        template="password_reset",
        kind="password_reset",
        user=user,
        reset_url=public_url("auth.reset_password", token=token),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    return message.id
