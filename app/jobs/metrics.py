"""Prometheus gauges for the job system, read from Redis and the outbox at scrape time.

A custom collector (not gauges set by the workers): the numbers are whatever Redis
holds when Prometheus asks, in every deployment shape (one process, gunicorn's
multiprocess mode). A scrape never fails because of Redis or the database: an
unreachable Redis gives `teppan_jobs_redis_up 0` and no depths.

    teppan_jobs_redis_up                       1 reachable, 0 not (absent: inline mode)
    teppan_jobs_queue_depth{queue, state}      queued / started / failed / scheduled
    teppan_outbox_waiting                      messages not yet handed to a queue
    teppan_outbox_oldest_waiting_seconds       age of the oldest of them (0 when none)
"""

from __future__ import annotations

import logging

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from redis import Redis
from sqlalchemy import func, select

from app.jobs import stats

log = logging.getLogger(__name__)


class JobsCollector:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._clients: dict[str, Redis] = {}

    def _client(self, url: str) -> Redis:
        # Short timeouts of its own: a scrape must answer even when Redis hangs.
        if url not in self._clients:
            self._clients[url] = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1)
        return self._clients[url]

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily("teppan_jobs_redis_up", "Whether the job queues' Redis answers (absent: jobs inline)."),
            GaugeMetricFamily("teppan_jobs_queue_depth", "Jobs per RQ queue and state.", labels=["queue", "state"]),
            GaugeMetricFamily("teppan_outbox_waiting", "Outbox messages not yet handed to a queue."),
            GaugeMetricFamily("teppan_outbox_oldest_waiting_seconds", "Age of the oldest waiting outbox message."),
        )

    def describe(self):
        return list(self._families())  # names only: registering reads nothing

    def collect(self):
        redis_up, depth, waiting, oldest = self._families()
        url = self.app.config.get("REDIS_URL")
        if url:
            try:
                depths = stats.queue_depths(self._client(url))
            except Exception as exc:  # noqa: BLE001 - a scrape must not fail
                log.debug("metrics: Redis unreachable: %s", exc)
                redis_up.add_metric([], 0)
            else:
                redis_up.add_metric([], 1)
                for queue_name, states in depths.items():
                    for state, count in states.items():
                        depth.add_metric([queue_name, state], count)
            yield redis_up
        yield depth
        outbox = self._outbox()
        if outbox is not None:
            waiting.add_metric([], outbox[0])
            oldest.add_metric([], outbox[1])
            yield waiting
            yield oldest

    def _outbox(self) -> tuple[int, float] | None:
        from app.extensions import db
        from app.models.base import utcnow
        from app.models.outbox import OutboxMessage

        try:
            with self.app.app_context():
                count, first = db.session.execute(
                    select(func.count(), func.min(OutboxMessage.created_at)).where(
                        OutboxMessage.dispatched_at.is_(None)
                    )
                ).one()
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail
            log.debug("metrics: outbox unreadable: %s", exc)
            return None
        if first is not None and first.tzinfo is None:
            from datetime import UTC

            first = first.replace(tzinfo=UTC)
        age = (utcnow() - first).total_seconds() if first is not None else 0.0
        return int(count), max(age, 0.0)
