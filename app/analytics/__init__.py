"""Analytics for owners and managers: revenue, funnel, operations, conversations, reviews."""

from app.web.access import station_blueprint

bp = station_blueprint("analytics", __name__, "/analytics")

from app.analytics import views  # noqa: E402,F401
