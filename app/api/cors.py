"""CORS for the public site: only origins listed in PUBLIC_SITE_ORIGINS get CORS headers.

The API uses no cookies, so credentials are never allowed; an allowed origin is
echoed back (never `*`), and every API answer says `Vary: Origin` so that a cache
does not hand one origin's answer to another.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

PREFIX = "/api/v1/"
ALLOWED_HEADERS = ("Content-Type", "Idempotency-Key")
EXPOSED_HEADERS = (
    "Location",
    "Retry-After",
    "Idempotent-Replayed",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
PREFLIGHT_MAX_AGE = 600  # seconds a browser may cache a preflight answer


def _normalise(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def allowed_origin() -> str | None:
    """The request's Origin when the configuration allows it, else None."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    allowed = {_normalise(o) for o in current_app.config.get("PUBLIC_SITE_ORIGINS") or ()}
    return origin if _normalise(origin) in allowed else None


def _is_api() -> bool:
    return request.path.startswith(PREFIX)


def _route_methods() -> list[str]:
    rule = request.url_rule
    methods = set(rule.methods or ()) if rule is not None else {"GET", "POST"}
    return sorted(methods - {"HEAD"} | {"OPTIONS"})


def _preflight() -> Response | None:
    """Answer a CORS preflight before routing and rate limiting get to it."""
    if not (_is_api() and request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method")):
        return None
    response = current_app.response_class(status=204)
    origin = allowed_origin()
    if origin:
        wanted = [h.strip() for h in request.headers.get("Access-Control-Request-Headers", "").split(",")]
        allowed = {h.lower() for h in ALLOWED_HEADERS}
        headers = [h for h in wanted if h and h.lower() in allowed]
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ", ".join(_route_methods())
        response.headers["Access-Control-Allow-Headers"] = ", ".join(headers or ALLOWED_HEADERS)
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def _add_headers(response: Response) -> Response:
    if not _is_api():
        return response
    response.vary.add("Origin")
    origin = allowed_origin()
    if origin and "Access-Control-Allow-Origin" not in response.headers:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
    return response


def register(bp: Blueprint) -> None:
    # App-wide hooks (filtered on the path) so that 404s and 405s of unknown API
    # addresses carry CORS headers too, and the site can read their JSON.
    bp.before_app_request(_preflight)
    bp.after_app_request(_add_headers)
