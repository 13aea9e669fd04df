"""Flask-Login wiring: the cookie carries user id and session token; sessions time out.

The server-side identity of a cookie is the user's `session_token` (in `User.get_id()`):
rotating it (`app.auth.services.end_all_sessions`: sign-out, password, role, removal,
deactivation, email change) makes every earlier session and "remember me" cookie
worthless, wherever it was copied to.

Timeouts (OWASP ASVS 3.3): a session signed in with the password ends after
SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the sign-in, whatever
the activity. "Keep me signed in" trusts the device instead: its cookie lasts
REMEMBER_COOKIE_DURATION, and a session restored from it is not "fresh", so sensitive
changes (see app.permissions.SENSITIVE) ask for the password again first.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, session
from flask_login import LoginManager, current_user, logout_user, user_loaded_from_cookie, user_logged_in

from app.extensions import db
from app.models.user import User
from app.web.access import reauthenticate_response, signed_out_response

SIGNED_IN_AT = "auth_signed_in_at"
SEEN_AT = "auth_seen_at"
REMEMBERED = "auth_remembered"
# Writing the last-seen time on every request would re-send the cookie each time.
SEEN_RESOLUTION_SECONDS = 60


def load_user(cookie_id: str) -> User | None:
    """The user named by the cookie, if the token still matches (not signed out since)."""
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def _start(remembered: bool) -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[REMEMBERED] = remembered


def _on_sign_in(_app, user, **_extra) -> None:
    # login_user(remember=True) marks the session before it sends this signal.
    _start(remembered=session.get("_remember") == "set" or bool(session.get(REMEMBERED)))


def _on_restored_from_cookie(_app, user, **_extra) -> None:
    _start(remembered=True)
    # Flask-Login's "strong" protection compares the session's `_id` (a hash of address and
    # browser) on every request, but does not write one when it restores a user from the
    # remember cookie: without this the very next request logged the user out again.
    session["_id"] = current_app.login_manager._session_identifier_generator()


def session_expired(now: float, config) -> str | None:
    """Why the signed-in session has to end now (None: it goes on)."""
    if session.get(REMEMBERED):
        return None  # a trusted device: the remember cookie's own lifetime bounds it
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return "Please sign in again."  # a session from before these rules existed
    if now - seen_at > config["SESSION_IDLE_MINUTES"] * 60:
        return "You were signed out after a while without activity. Please sign in again."
    if now - signed_in_at > config["SESSION_MAX_HOURS"] * 3600:
        return "Your session has reached its maximum length. Please sign in again."
    return None


def _enforce_timeouts():
    if not current_user.is_authenticated:
        return None
    now = time.time()
    reason = session_expired(now, current_app.config)
    if reason is not None:
        logout_user()
        session.pop(SIGNED_IN_AT, None)
        session.pop(SEEN_AT, None)
        flash(reason, "info")
        return signed_out_response()
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = int(now)
    return None


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to continue."
    manager.login_message_category = "info"
    manager.refresh_view = "auth.reauthenticate"
    manager.needs_refresh_message = "Enter your password again to make this change."
    manager.needs_refresh_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
    user_logged_in.connect(_on_sign_in, app)
    user_loaded_from_cookie.connect(_on_restored_from_cookie, app)
    app.before_request(_enforce_timeouts)
    manager.unauthorized_handler(signed_out_response)
    manager.needs_refresh_handler(reauthenticate_response)
