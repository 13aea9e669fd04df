"""A station's team: managers invite staff and chefs and change their roles."""

from app.web.access import station_blueprint

bp = station_blueprint("team", __name__, "/team")

from app.team import views  # noqa: E402,F401
