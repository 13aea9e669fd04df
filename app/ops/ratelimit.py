"""When the rate-limit storage (Redis) fails: log it and count it, while requests go on.

Flask-Limiter (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, RATELIMIT_SWALLOW_ERRORS in
config.py) switches to in-memory counters when Redis fails and back when it answers
again; it logs each switch on its "flask-limiter" logger. This module turns those log
records into `teppan_ratelimit_storage_errors_total{outcome}` ("fallback": switched to
memory, "swallowed": one check skipped) and counts the requests limited from memory
meanwhile (`teppan_ratelimit_fallback_requests_total`), so an alert can see the outage
that users do not.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from prometheus_client import CollectorRegistry, Counter

from app.extensions import limiter

LIMITER_LOGGER = "flask-limiter"
EXTENSION_KEY = "teppan_ratelimit_counters"


class _StorageErrorCounter(logging.Handler):
    """Counts Flask-Limiter's warnings and errors: each one is a storage failure."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if not has_app_context():
            return
        counters = current_app.extensions.get(EXTENSION_KEY)
        if counters is None:
            return
        outcome = "fallback" if "falling back" in record.getMessage() else "swallowed"
        counters["errors"].labels(outcome=outcome).inc()


_handler = _StorageErrorCounter()


def init_ratelimit_metrics(app: Flask, registry: CollectorRegistry | None) -> None:
    """Counters in `registry` (None: the multiprocess files gunicorn's /metrics reads)."""
    app.extensions[EXTENSION_KEY] = {
        "errors": Counter(
            "teppan_ratelimit_storage_errors_total",
            "Rate-limit storage (Redis) failures: switched to in-memory limits, or a check skipped.",
            ["outcome"],
            registry=registry,
        ),
        "fallback_requests": Counter(
            "teppan_ratelimit_fallback_requests_total",
            "Requests whose rate limits were kept in this process's memory because Redis was down.",
            registry=registry,
        ),
    }
    limiter_log = logging.getLogger(LIMITER_LOGGER)
    if _handler not in limiter_log.handlers:
        limiter_log.addHandler(_handler)

    @app.after_request
    def _count_fallback(response):
        # Flask-Limiter keeps "storage is down" in `_storage_dead` (flask-limiter 4.1, pinned).
        if limiter.enabled and getattr(limiter, "_storage_dead", False):
            app.extensions[EXTENSION_KEY]["fallback_requests"].inc()
        return response
