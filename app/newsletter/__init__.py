"""Newsletter: subscribers and consent, segments, campaigns sent in batches, tracked links.

- subscriptions.py: sign-up, double opt-in, unsubscribe and the consent ledger
- segments.py: segment rules as SQL; campaigns.py: compose, render, preview, test, stats
- sending.py: recipients written once, batches sent at most once; jobs.py: the jobs
- links.py: tracked links; views.py: staff pages and the public links; demo.py
"""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("newsletter", __name__, "/newsletter")
# Double opt-in confirmation, one-click unsubscribe, click redirects: no sign-in.
public_bp = Blueprint("newsletter_public", __name__, url_prefix="/n")

# jobs: registered here too, so the registry knows them whichever way the app is built.
from app.newsletter import demo, jobs, views  # noqa: E402,F401
