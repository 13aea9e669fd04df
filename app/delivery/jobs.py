"""The delivery sweep: due retries, deferrals that have ended, claims of dead workers."""

from __future__ import annotations

from app.delivery import engine
from app.jobs.registry import job


@job("delivery.sweep", queue="periodic", retries=0, timeout=600)
def sweep() -> dict[str, dict[str, int]]:
    """Deliver every row that is due again or whose worker died (lease expired)."""
    return {name: dict(counts) for name, counts in engine.sweep().items()}
