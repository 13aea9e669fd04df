"""Sign-in, sign-out, password reset and the account page."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import confirm_login, current_user, login_required, login_user, logout_user

from app.auth import bp, services
from app.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm, ReauthenticateForm
from app.auth.passwords import verify_password
from app.auth.session import REMEMBERED, SIGNED_IN_AT
from app.errors import ValidationFailed
from app.extensions import db, limiter
from app.web.forms import read_form


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    # Browsers read a backslash as "/" and drop tabs and newlines, so "/\evil.example"
    # and "/<TAB>/evil.example" would leave the site like "//evil.example".
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    if current_user.is_authenticated:  # re-entering the password: the account is known
        return f"login-account:{current_user.email}"
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    """A wrong password (401) or a form that did not validate (400); never a sign-in or a 429."""
    return response.status_code in (400, 401)


def _wrong_password(response) -> bool:
    return response.status_code == 401


# Only failed attempts count, per client IP and per account: an office whose staff all
# sign in from one address is never locked out by its own successful sign-ins, while
# guessing passwords (for one account, or many from one address) is slowed down.
limit_failures_per_ip = limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], scope="login-ip", deduct_when=_failed
)
limit_failures_per_account = limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    scope="login-account",
    deduct_when=_wrong_password,
)


@bp.route("/login", methods=["GET", "POST"])
@limit_failures_per_ip
@limit_failures_per_account
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if request.method == "GET":
        return render_template("auth/login.html", values={}, errors={})
    try:
        form = read_form(LoginForm)
    except ValidationFailed as error:
        return render_template("auth/login.html", values=request.form, errors=error.fields), 400
    user = services.authenticate(form.email, form.password)
    if user is None:
        flash("That email and password do not match an active account.", "error")
        # A 401 counts against the account's and the address's sign-in budgets (see above).
        return render_template("auth/login.html", values=request.form, errors={}), 401
    login_user(user, remember=form.remember)
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))


@bp.post("/logout")
def logout():
    """Sign out: this cookie, and any copy of it or of a "remember me" cookie, stops working."""
    if current_user.is_authenticated:
        services.end_all_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
@limit_failures_per_ip
@limit_failures_per_account
def reauthenticate():
    """Enter the password again before a sensitive change (the session came from a cookie)."""
    if request.method == "GET":
        return render_template("auth/reauthenticate.html", errors={})
    try:
        form = read_form(ReauthenticateForm)
    except ValidationFailed as error:
        return render_template("auth/reauthenticate.html", errors=error.fields), 400
    if not verify_password(current_user.password_hash, form.password):
        return render_template("auth/reauthenticate.html", errors={"password": "That is not your password."}), 401
    confirm_login()
    session[SIGNED_IN_AT] = int(time.time())
    return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Ask for a reset link by email."""
    if request.method == "POST":
        try:
            form = read_form(ForgotPasswordForm)
        except ValidationFailed as error:
            return render_template("auth/forgot.html", values=request.form, errors=error.fields)
        services.request_password_reset(form.email)
        db.session.commit()  # the email (if any) goes out after this commit (outbox)
        flash("If that email belongs to an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", values={}, errors={})


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    user, problem = services.user_from_reset_token(token)
    if user is None:
        flash(problem, "error")
        return redirect(url_for("auth.forgot_password"))
    if request.method == "POST":
        try:
            form = read_form(NewPasswordForm)
        except ValidationFailed as error:
            return render_template("auth/reset.html", errors=error.fields)
        services.set_password(user, form.password, action="user.password_reset")
        db.session.commit()
        logout_user()
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", errors={})


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your profile and password."""
    if request.method == "GET":
        return render_template("auth/account.html", errors={})
    try:
        form = read_form(ChangePasswordForm)
        if not verify_password(current_user.password_hash, form.current):
            raise ValidationFailed(
                "That is not your current password.", fields={"current": "That is not your current password."}
            )
    except ValidationFailed as error:
        return render_template("auth/account.html", errors=error.fields), 400
    services.set_password(current_user, form.password)
    db.session.commit()
    # The token rotated: sign this browser in again, every other one is out.
    login_user(current_user._get_current_object(), remember=bool(session.get(REMEMBERED)))
    flash("Password changed. Other devices are signed out.", "success")
    return redirect(url_for("auth.account"))
