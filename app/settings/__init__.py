"""A station's business settings (menu, prices, slots, policies), for owners."""

from app.web.access import station_blueprint

bp = station_blueprint("settings", __name__, "/settings")

from app.settings import views  # noqa: E402,F401
