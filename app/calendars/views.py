"""The feeds (public, by token) and the buttons that make or remake their tokens."""

from __future__ import annotations

from flask import Response, abort, current_app, g, url_for
from flask_login import current_user

from app.calendars import bp, public_bp, services
from app.chefs.services import chef_for_user
from app.errors import ValidationFailed
from app.extensions import db, limiter
from app.models.station import Station
from app.permissions import require
from app.web.htmx import finish_mutation
from app.web.urls import public_url


def _limit() -> str:
    return current_app.config.get("CALENDAR_FEED_RATELIMIT", "60 per minute")


def _ics(body: bytes) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@public_bp.app_template_global()
def feed_url(kind: str, token: str | None) -> str | None:
    """The absolute address a calendar app subscribes to (PUBLIC_BASE_URL), or None without a token."""
    if not token:
        return None
    return public_url("feeds.chef_feed" if kind == "chef" else "feeds.station_feed", calendar_token=token)


@public_bp.get("/feeds/chef/<calendar_token>.ics")
@limiter.limit(_limit, scope="calendar-feeds")
def chef_feed(calendar_token: str):
    """A chef's private feed of their events (no money)."""
    chef = services.chef_for_token(calendar_token)
    if chef is None:
        abort(404)
    return _ics(services.chef_feed(chef))


@public_bp.get("/feeds/station/<calendar_token>.ics")
@limiter.limit(_limit, scope="calendar-feeds")
def station_feed(calendar_token: str):
    """A station's feed of every party, for its managers."""
    station = services.station_for_token(calendar_token)
    if station is None:
        abort(404)
    return _ics(services.station_feed(station))


@bp.post("/me")
@require("chefs.own_schedule")
def regenerate_my_feed():
    """The signed-in chef makes (or remakes) their feed's address."""
    back = url_for("chefs.my_schedule")
    chef = chef_for_user(g.station_id, current_user.id)
    if chef is None:
        return finish_mutation(ValidationFailed("Your account is not linked to a chef profile yet."), back=back)
    services.regenerate(chef)
    return finish_mutation("New calendar address made: subscribe to it; the old one no longer works.", back=back)


@bp.post("/station")
@require("calendars.station_feed")
def regenerate_station_feed():
    """A manager makes (or remakes) the station feed's address."""
    station = db.session.get(Station, g.station_id)
    services.regenerate(station)
    return finish_mutation(
        "New station calendar address made: the old one no longer works.", back=url_for("bookings.calendar")
    )
