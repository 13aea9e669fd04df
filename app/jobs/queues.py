"""Redis and RQ queues (None when REDIS_URL is unset: jobs run inline)."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

from app.jobs.registry import QUEUES


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    connections = current_app.extensions.setdefault("teppan_redis", {})
    if url not in connections:
        connections[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return connections[url]


def queue(name: str) -> Queue:
    connection = redis_connection()
    if connection is None:
        raise RuntimeError("no REDIS_URL: jobs run inline")
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=connection)
