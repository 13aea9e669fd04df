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
    # The owner's "today and next" across stations; others just pick one.
    overview = services.overview(stations) if current_user.is_owner else []
    return render_template("dashboard/pick_station.html", stations=stations, overview=overview)


@bp.get("/")
@require("dashboard.view")
def station_home():
    """Today and next for this station: the numbers and events the role can open."""
    stats = services.dashboard_numbers(g.station_id, g.station.timezone)
    agenda = services.agenda(g.station_id, g.station.timezone)
    return render_template("dashboard/station.html", stats=stats, agenda=agenda)
