"""Prometheus metrics: request counts and latency by endpoint, and the job queues, at /metrics.

Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, every worker writes its samples to
that directory and /metrics aggregates them (see gunicorn.conf.py). Otherwise one
process registry is used; tests get a fresh registry per app.

The job gauges (app.jobs.metrics: queue depths, outbox backlog) and the draft
acceptance gauges (app.inbox.learning) are read from Redis and the database
at scrape time by custom collectors. prometheus-flask-exporter's
multiprocess mode answers /metrics from a fresh registry holding only the
multiprocess collector, so there the collector is added to that registry per scrape.
"""

from __future__ import annotations

import os

from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

from app.inbox.learning import DraftsCollector
from app.jobs.metrics import JobsCollector
from app.ops.access import guard_metrics
from app.ops.ratelimit import init_ratelimit_metrics


def init_metrics(app: Flask) -> PrometheusMetrics:
    options = {"group_by": "endpoint", "defaults_prefix": "teppan", "metrics_decorator": guard_metrics}
    collectors = (JobsCollector(app), DraftsCollector(app))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics = GunicornInternalPrometheusMetrics(app, **options)
        metrics.generate_metrics = _multiprocess_generator(collectors)
    else:
        # A registry per app: the factory runs many times in one test process.
        metrics = PrometheusMetrics(app, registry=CollectorRegistry(), **options)
        for collector in collectors:
            metrics.registry.register(collector)
    metrics.info("teppan_app_info", "Teppan build", version=app.config["APP_VERSION"])
    # Multiprocess mode: counters write to PROMETHEUS_MULTIPROC_DIR, not to a registry.
    multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    init_ratelimit_metrics(app, None if multiprocess else metrics.registry)
    app.extensions["metrics"] = metrics
    return metrics


def _multiprocess_generator(collectors):
    """prometheus-flask-exporter's generate_metrics for multiprocess mode, plus our collectors."""

    def generate_metrics(accept_header=None, names=None):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        for collector in collectors:
            registry.register(collector)
        if names:
            registry = registry.restricted_registry(names)
        generate_latest, content_type = choose_encoder(accept_header)
        return generate_latest(registry).decode("utf-8"), content_type

    return generate_metrics
