"""POST /api/v1/newsletter/subscriptions: the site's newsletter sign-up form.

Email and SMS consent are separate, each with the exact text the visitor was shown.
Email is double opt-in: the answer says a confirmation email is on its way and the
subscriber stays pending until the link is confirmed. SMS consent counts at once.
Signing up again updates the subscriber (name, tags, a new confirmation email while
still unconfirmed). Rate limit per IP: API_RATELIMIT_NEWSLETTER (default
"10 per minute").

The models are in app/newsletter/schemas.py, the OpenAPI part in app/newsletter/openapi.py.
"""

from __future__ import annotations

import re

from flask import current_app, jsonify, request

from app.api import bp
from app.api.errors import read
from app.api.stations import active_station
from app.extensions import db, limiter
from app.newsletter.schemas import SubscriptionReceived, SubscriptionRequest
from app.newsletter.subscriptions import SignUp, sign_up

DEFAULT_LIMIT = "10 per minute"
newsletter_limit = limiter.limit(
    lambda: current_app.config.get("API_RATELIMIT_NEWSLETTER") or DEFAULT_LIMIT,
    scope="api-newsletter",
    methods=["POST"],
)

# Control characters (NUL aside, which read() refuses) are form junk, not text someone was shown.
BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str | None) -> str:
    return BAD_TEXT.sub("", text or "")


@bp.post("/newsletter/subscriptions")
@newsletter_limit
def newsletter_subscribe():
    """A newsletter sign-up: 202 with what happens next on each channel."""
    data, _ = read(SubscriptionRequest)
    station = active_station(data.station, field="station")
    result = sign_up(
        station.id,
        SignUp(
            email=data.email,
            phone=data.phone,
            name=_clean(data.name),
            email_consent=data.email_consent,
            email_consent_text=_clean(data.email_consent_text),
            sms_consent=data.sms_consent,
            sms_consent_text=_clean(data.sms_consent_text),
            tags=tuple(data.tags),
        ),
        ip=request.remote_addr,
    )
    db.session.commit()
    response = jsonify(SubscriptionReceived(email=result.email, sms=result.sms).model_dump())
    response.status_code = 202
    return response
