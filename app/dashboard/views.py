"""The station picker and the station dashboard."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.dashboard import bp, home_bp, services
from app.permissions import require
from app.tenancy import stations_for


@home_bp.get("/")
@login_required
def index():
    """Send the user to their station, or let them pick one."""
    stations = stations_for(current_user)
    if len(stations) == 1:
        return redirect(url_for("dashboard.station_home", station_slug=stations[0].slug))
    return render_template("dashboard/pick_station.html", stations=stations)


@bp.get("/")
@require("dashboard.view")
def station_home():
    """Today's and upcoming numbers for this station."""
    stats = services.dashboard_numbers(g.station_id, g.station.timezone)
    return render_template("dashboard/station.html", stats=stats)
