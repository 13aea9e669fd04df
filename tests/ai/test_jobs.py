"""The periodic job that keeps the offline model in step with staff corrections."""

from __future__ import annotations

from app.ai import classifier as classifier_module
from app.jobs import registry


def test_refresh_job_is_registered_on_the_periodic_queue():
    from app.ai import jobs  # noqa: F401 - registers the job

    spec = registry.spec("ai.refresh_offline_model")
    assert spec.queue == "periodic"
    assert spec.retries == 0


def test_refresh_job_trains_with_the_corrections_and_caches_the_model(ai_app, tmp_path):
    from app.ai.jobs import refresh_offline_model

    corrections = [{"text": "do you guys sell gift cards?", "intent": "payment", "emotion": "neutral"}]
    classifier_module.set_corrections_source(lambda: corrections)
    try:
        with ai_app.app_context():
            first = refresh_offline_model()
            again = refresh_offline_model()  # nothing changed: same model, no retraining
    finally:
        classifier_module.set_corrections_source(None)
    assert first == again
    assert first["corrections"] == 1
    assert (tmp_path / "ai" / f"offline-{first['data_hash']}.npz").exists()
