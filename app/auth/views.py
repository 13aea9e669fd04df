"""Sign-in, sign-out, password reset and the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services
from app.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from app.auth.passwords import verify_password
from app.extensions import db, limiter


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
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], scope="login-ip")
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    scope="login-account",
    # Only failed attempts count against an account.
    deduct_when=lambda response: response.status_code == 401,
)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        flash("That email and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.post("/logout")
def logout():
    """Sign out of this browser."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Ask for a reset link by email."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()  # the email (if any) goes out after this commit (outbox)
        flash("If that email belongs to an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    user, problem = services.user_from_reset_token(token)
    if user is None:
        flash(problem, "error")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data, action="user.password_reset")
        db.session.commit()
        logout_user()
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your profile and password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            services.set_password(current_user, form.password.data)
            db.session.commit()
            # The token rotated: sign this browser in again, every other one is out.
            login_user(current_user._get_current_object())
            flash("Password changed. Other devices are signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), (400 if form.errors else 200)
