"""Calendar feeds: a chef's private feed of their events, a station's feed for its managers.

Public: GET /feeds/chef/<token>.ics and /feeds/station/<token>.ics (the secret token is
the only key; a regenerated one replaces the old at once). Station pages: POST
/s/<slug>/calendar-feeds/me and /station make (or remake) the token.
"""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("calendars", __name__, "/calendar-feeds")
public_bp = Blueprint("feeds", __name__)

from app.calendars import views  # noqa: E402,F401
