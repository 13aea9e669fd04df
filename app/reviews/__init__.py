"""Reviews: the signed review link, the public review page, the staff page, featured reviews."""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("reviews", __name__, "/reviews")
# The page a customer opens from the review request (a signed token, no sign-in).
public_bp = Blueprint("reviews_public", __name__, url_prefix="/review")

from app.reviews import demo, jobs, views  # noqa: E402,F401
