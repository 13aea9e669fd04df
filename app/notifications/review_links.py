"""The signed review link: a token that names one booking and expires.

The token is the customer's only credential on the public review page and in
`POST /api/v1/reviews`, so it is signed with the app's secret (salt "review") and
carries nothing but the booking id. It stays valid long enough for a late reply to
the reminder (REVIEW_LINK_MAX_AGE_DAYS, 60 by default); a second use edits the same
review rather than adding one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "review"
DEFAULT_MAX_AGE_DAYS = 60
CLOCK_SKEW = timedelta(minutes=5)
MAX_TOKEN_CHARS = 200  # a real token is ~40; anything longer is not ours


class LinkExpired(Exception):
    """The signature is good but the link is older than its validity."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def max_age_seconds() -> int:
    days = current_app.config.get("REVIEW_LINK_MAX_AGE_DAYS") or DEFAULT_MAX_AGE_DAYS
    return int(days) * 86400


def review_token(booking_id: int) -> str:
    return _serializer().dumps({"b": booking_id})


def booking_id_from(token: str) -> int | None:
    """The booking id of a valid token; None when tampered with or malformed.

    Raises LinkExpired for a genuine but stale link, so the page can say so.
    """
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return None
    serializer = _serializer()
    try:
        data = serializer.loads(token, max_age=max_age_seconds())
    except SignatureExpired as exc:
        # itsdangerous also calls a token from the future expired: another server's
        # clock a little ahead signed it. That link is fresh, not stale.
        ahead_by = exc.date_signed - datetime.now(UTC) if exc.date_signed else None
        if ahead_by is None or not timedelta(0) < ahead_by <= CLOCK_SKEW:
            raise LinkExpired() from None
        data = serializer.load_payload(exc.payload)
    except BadSignature:
        return None
    booking_id = data.get("b") if isinstance(data, dict) else None
    return booking_id if isinstance(booking_id, int) and not isinstance(booking_id, bool) else None
