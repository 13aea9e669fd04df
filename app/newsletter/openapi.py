"""The newsletter part of the OpenAPI document, for app/api/openapi.py to merge in:

    REQUEST_MODELS += newsletter_openapi.REQUEST_MODELS
    RESPONSE_MODELS += newsletter_openapi.RESPONSE_MODELS
    paths: **newsletter_openapi.paths(_body, _ok, _errors)
    tags: newsletter_openapi.TAG

Like the rest of the document, it needs no app or database.
"""

from __future__ import annotations

from typing import Any

from app.newsletter.schemas import SubscriptionReceived, SubscriptionRequest

TAG = {"name": "newsletter", "description": "Newsletter sign-up by email (double opt-in) and SMS"}

REQUEST_MODELS = (SubscriptionRequest,)
RESPONSE_MODELS = (SubscriptionReceived,)
EXAMPLE_REQUEST = {
    "station": "atlanta",
    "email": "grace@example.com",
    "phone": "(404) 555-0142",
    "name": "Grace Hopper",
    "email_consent": True,
    "email_consent_text": "Email me news and offers from Teppan Atlanta. Unsubscribe any time.",
    "sms_consent": True,
    "sms_consent_text": "Text me offers (about 2 a month). Msg & data rates may apply. Reply STOP to stop.",
    "tags": ["birthday"],
}
EXAMPLE_RESPONSE = {"email": "confirmation_sent", "sms": "subscribed"}


def paths(body, ok, errors) -> dict[str, Any]:
    """The path item, built with openapi.py's helpers (_body, _ok, _errors)."""
    return {
        "/newsletter/subscriptions": {
            "post": {
                "operationId": "subscribeNewsletter",
                "summary": "Sign up for a station's newsletter by email and/or SMS",
                "description": (
                    "Email and SMS consent are separate and each needs the exact text the visitor was "
                    "shown. Email is double opt-in: a confirmation link is emailed and the address "
                    "receives nothing else until it is confirmed. SMS consent counts at once (reply "
                    "STOP to stop). Signing up again updates the subscription. Rate limited per IP."
                ),
                "tags": ["newsletter"],
                "requestBody": body("SubscriptionRequest", EXAMPLE_REQUEST),
                "responses": {
                    **ok(202, "SubscriptionReceived", "Accepted; see each channel's outcome.", EXAMPLE_RESPONSE),
                    **errors(400, 404, 413, 422),
                },
            }
        }
    }
