"""Running one job: in an RQ worker, or inline after commit when there is no Redis.

The function RQ imports is `run`; it needs an app context, which `flask worker`
provides (a SimpleWorker runs jobs in its own process, inside that context). Jobs
commit their own work; what they emit is relayed after their commit.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context

from app.extensions import db
from app.jobs import registry

log = logging.getLogger(__name__)


def run(job_name: str, payload: dict[str, Any], message_id: int | None = None) -> Any:
    """Run a registered job; retry only transient errors (RQ's Retry does the waiting)."""
    if not has_app_context():  # `rq worker` started without the flask CLI
        from app import create_app

        with create_app().app_context():
            return run(job_name, payload, message_id)
    spec = registry.spec(job_name)
    try:
        result = spec.func(**payload)
        db.session.commit()
    except registry.TransientError:
        db.session.rollback()
        raise
    except Exception:
        db.session.rollback()
        _no_more_retries()
        raise
    finally:
        db.session.remove()
    from app.jobs.outbox import relay_if_due

    relay_if_due()
    return result


def _no_more_retries() -> None:
    """A non-transient failure goes straight to the failed list."""
    from rq import get_current_job

    current = get_current_job()
    if current is not None and current.retries_left:
        current.retries_left = 0
        current.save_meta() if hasattr(current, "save_meta") else None
        current.save()


def run_inline(job_name: str, payload: dict[str, Any], message_id: int | None = None) -> bool:
    """Run now in this process; False (and logged) on failure, so the caller goes on."""
    try:
        run(job_name, payload, message_id)
        return True
    except Exception:  # noqa: BLE001 - one failed job must not fail the request that emitted it
        log.exception("inline job %s failed (message %s)", job_name, message_id)
        if current_app.config.get("TESTING") and current_app.config.get("RAISE_INLINE_JOB_ERRORS"):
            raise
        return False
