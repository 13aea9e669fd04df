"""Flask-Login wiring: the cookie carries user id and session token."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from app.extensions import db
from app.models.user import User


def load_user(cookie_id: str) -> User | None:
    """The user named by the cookie, if the token still matches (password unchanged)."""
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to continue."
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(load_user)

    from app.web.access import signed_out_response

    manager.unauthorized_handler(signed_out_response)
