"""Jobs of the job system itself."""

from __future__ import annotations

from app.jobs.registry import job

BATCH = 200
MAX_BATCHES = 25  # 5,000 messages a run; the next run (30 s later) takes the rest


@job("outbox.relay", queue="periodic", retries=0, timeout=60)
def relay_outbox() -> int:
    """Hand over whatever the after-commit relay left behind (Redis was down, a crash)."""
    from app.jobs.outbox import relay

    total = 0
    for _ in range(MAX_BATCHES):
        handed = relay(limit=BATCH)
        total += handed
        if handed < BATCH:
            break
    return total
