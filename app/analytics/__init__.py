"""Analytics for owners and managers: revenue, funnel, operations, conversations, reviews."""

from app.web.access import station_blueprint

bp = station_blueprint("analytics", __name__, "/analytics")

# The views, and the session hook that keeps the rollups current (app.analytics.maintenance).
from app.analytics import commands, maintenance, views  # noqa: E402,F401
