"""Home: the station picker (`home`) and each station's dashboard (`dashboard`)."""

from flask import Blueprint

from app.web.access import station_blueprint

home_bp = Blueprint("home", __name__)
bp = station_blueprint("dashboard", __name__)

from app.dashboard import views  # noqa: E402,F401
