"""Jobs of the job system itself."""

from __future__ import annotations

from app.jobs.registry import job


@job("outbox.relay", queue="periodic", retries=0, timeout=60)
def relay_outbox() -> int:
    """Hand over whatever the after-commit relay left behind (Redis was down, a crash)."""
    from app.jobs.outbox import relay

    return relay()
