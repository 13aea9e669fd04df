"""Newsletter: subscribers and consent, segments, campaigns sent in batches, tracked links."""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("newsletter", __name__, "/newsletter")
# Double opt-in confirmation, one-click unsubscribe, click redirects: no sign-in.
public_bp = Blueprint("newsletter_public", __name__, url_prefix="/n")

from app.newsletter import views  # noqa: E402,F401
