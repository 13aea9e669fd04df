"""AI jobs. Wire: add "app.ai.jobs" to app.jobs.catalog.JOB_MODULES and
`Periodic("ai.refresh_offline_model", timedelta(hours=1))` to app.jobs.periodic.PERIODIC.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.jobs.registry import job


@job("ai.refresh_offline_model", queue="periodic", retries=0, timeout=300)
def refresh_offline_model() -> dict:
    """Retrain the offline classifier when staff label corrections changed; cache it for all processes.

    Cheap when nothing changed (the model for the same data hash is in memory or on
    disk). Classifiers in other processes pick the new model up by its hash from the
    instance/ai cache the next time they re-read the corrections (every 5 minutes).
    """
    from app.ai import offline
    from app.ai.classifier import corrections_source

    corrections = offline.load_corrections(corrections_source())
    cache_dir = current_app.config.get("AI_MODEL_CACHE_DIR") or Path(current_app.instance_path) / "ai"
    model = offline.model_for(corrections, cache_dir=cache_dir)
    return {"data_hash": model.data_hash, "examples": model.examples, "corrections": model.corrections}
