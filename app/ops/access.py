"""Who may read the operations endpoints that say more than "up" (/metrics, /info).

/metrics shows traffic, queue depths and per-station figures; /info the build and the
services in use. With METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`
(compared in constant time); in production without it, /metrics is switched off (404)
rather than left open. /info also answers a signed-in owner in the browser. /healthz and
/ready stay open for load balancers and say nothing sensitive.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import current_app, jsonify, request
from flask_login import current_user


def bearer_token_ok() -> bool:
    """The request carries METRICS_TOKEN as a bearer token (False when none is configured)."""
    expected = current_app.config.get("METRICS_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def refused(status: int, message: str):
    response = jsonify(error={"code": "unauthorized" if status == 401 else "not_found", "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="teppan-ops"'
    response.headers["Cache-Control"] = "no-store"
    return response


def guard_metrics(view: Callable) -> Callable:
    """prometheus-flask-exporter's `metrics_decorator` for /metrics."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_app.config.get("METRICS_TOKEN"):
            if not bearer_token_ok():
                return refused(401, "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.")
        elif current_app.config["ENV_NAME"] == "production":
            return refused(404, "Metrics are off: set METRICS_TOKEN to serve them.")
        return view(*args, **kwargs)

    return wrapped


def may_read_info() -> bool:
    return bearer_token_ok() or (current_user.is_authenticated and current_user.is_owner)
