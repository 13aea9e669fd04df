"""Who may reach a URL: sign-in first, then the station, then the permission.

`station_blueprint()` makes a blueprint under `/s/<station_slug>/...` whose every view
runs after the station is resolved and the user's membership is checked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, jsonify, make_response, redirect, request, url_for
from flask_login import current_user

from app.tenancy import enter_station
from app.web.htmx import is_htmx, wants_json


def signed_out_response():
    """Full pages go to sign-in; HTMX and JSON callers get 401 (HTMX also told where)."""
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = login_url
        return response
    if wants_json():
        return jsonify(error={"code": "unauthenticated", "message": "Sign in first."}), 401
    return redirect(login_url)


def _same_site_path(url: str | None) -> str | None:
    """The path (and query) of `url` when it points into this site, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:  # a Referer from another site
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def reauthenticate_response():
    """A sensitive change from a session that was not signed in with the password (see
    app.auth.session): ask for the password, then go back to the page the form was on."""
    back = request.full_path.rstrip("?") if request.method == "GET" else _same_site_path(request.referrer)
    reauth_url = url_for("auth.reauthenticate", next=back or url_for("home.index"))
    message = "Enter your password again to make this change."
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = reauth_url
        return response
    if wants_json():
        return jsonify(error={"code": "reauthentication_required", "message": message}), 401
    flash(message, "info")
    return redirect(reauth_url)


def station_blueprint(name: str, import_name: str, path: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=f"/s/<station_slug>{path}")

    @bp.url_value_preprocessor
    def _pull_station(endpoint, values):
        g.station_slug = values.pop("station_slug", None) if values else None

    @bp.before_request
    def _enter_station():
        if not current_user.is_authenticated:
            return signed_out_response()
        if not g.station_slug:
            abort(404)
        enter_station(g.station_slug, current_user)
        return None

    @bp.url_defaults
    def _add_station(endpoint, values):
        if "station_slug" not in values and g.get("station") is not None:
            values["station_slug"] = g.station.slug

    return bp


def signed_in_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint outside any station (admin, account) that needs a signed-in user."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)

    @bp.before_request
    def _signed_in():
        if not current_user.is_authenticated:
            return signed_out_response()
        return None

    return bp
