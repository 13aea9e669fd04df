"""Public JSON API v1 for the public website.

Endpoints in views.py; errors, CORS, rate limits and Idempotency-Key in their own
modules; the OpenAPI document (openapi.py) and the docs page (docs.py) are generated
from the pydantic models that validate the requests.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import chat, cors, errors, manage, newsletter, reviews, views  # noqa: E402,F401

errors.register(bp)
cors.register(bp)
