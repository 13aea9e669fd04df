"""Background jobs: a registry of job functions, the outbox relay, queues, periodic jobs.

Domain code never enqueues directly: it calls `emit()` inside its transaction; after
commit the relay hands the message to RQ (or, with no REDIS_URL, runs it inline: the
same code path, minus Redis).
"""

from app.jobs.outbox import emit, relay
from app.jobs.registry import job
from app.web.access import station_blueprint

__all__ = ["bp", "emit", "job", "relay"]

# The Jobs page: queues, running and failed jobs, the station's outbox.
bp = station_blueprint("jobs", __name__, "/jobs")

from app.jobs import dashboard, views  # noqa: E402,F401
