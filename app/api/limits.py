"""Per-IP rate limits of the public API, read from the configuration at request time.

Config keys (flask-limiter strings such as "60 per minute"):
- API_RATELIMIT_READ: all GET endpoints together, per IP (default 60 per minute);
- API_RATELIMIT_BOOKINGS: POST /bookings (default 10 per minute);
- API_RATELIMIT_QUOTES: POST /quotes (default 20 per minute);
- API_RATELIMIT_LEADS: POST /leads (default 20 per minute);
- API_RATELIMIT_MANAGE: the customer's POST /bookings/<token>/... actions (default 10 per minute).
RATELIMIT_ENABLED (flask-limiter's own key) switches them all off, as in tests.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from app.extensions import limiter

DEFAULTS = {
    "API_RATELIMIT_READ": "60 per minute",
    "API_RATELIMIT_BOOKINGS": "10 per minute",
    "API_RATELIMIT_QUOTES": "20 per minute",
    "API_RATELIMIT_LEADS": "20 per minute",
    "API_RATELIMIT_MANAGE": "10 per minute",
}


def _configured(key: str) -> Callable[[], str]:
    def value() -> str:
        return current_app.config.get(key) or DEFAULTS[key]

    return value


# One budget for every GET of the API, so walking many stations costs the same as one.
read = limiter.shared_limit(_configured("API_RATELIMIT_READ"), scope="api-read", methods=["GET"])
bookings = limiter.limit(_configured("API_RATELIMIT_BOOKINGS"), scope="api-bookings", methods=["POST"])
quotes = limiter.limit(_configured("API_RATELIMIT_QUOTES"), scope="api-quotes", methods=["POST"])
leads = limiter.limit(_configured("API_RATELIMIT_LEADS"), scope="api-leads", methods=["POST"])
manage = limiter.limit(_configured("API_RATELIMIT_MANAGE"), scope="api-manage", methods=["POST"])
