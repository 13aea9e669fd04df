"""Prometheus metrics: request counts and latency by endpoint, at /metrics.

Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, every worker writes its samples to
that directory and /metrics aggregates them (see gunicorn.conf.py). Otherwise one
process registry is used; tests get a fresh registry per app.
"""

from __future__ import annotations

import os

from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics


def init_metrics(app: Flask) -> PrometheusMetrics:
    options = {"group_by": "endpoint", "defaults_prefix": "teppan"}
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics = GunicornInternalPrometheusMetrics(app, **options)
    else:
        # A registry per app: the factory runs many times in one test process.
        metrics = PrometheusMetrics(app, registry=CollectorRegistry(), **options)
    metrics.info("teppan_app_info", "Teppan build", version=app.config["APP_VERSION"])
    app.extensions["metrics"] = metrics
    return metrics
