"""Running one job: in an RQ worker, or inline after commit when there is no Redis.

The function RQ imports is `run`. Under `flask worker` (an RQ SimpleWorker: jobs run
in the worker process, inside the CLI's app) each job gets a fresh app context of
that app; under a plain `rq worker` the app is built once per process. Jobs commit
their own work; what they emit is relayed right after their commit.

Retries: the relay enqueues every job with RQ's `Retry(max=spec.retries, ...)`, and
`run` takes the retries away again for anything that is not transient (see
`_no_more_retries`), so only `TransientError` and timeouts are retried with backoff;
everything else goes straight to the failed list with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from app.extensions import db
from app.jobs import registry

log = logging.getLogger(__name__)

_standalone_app: Flask | None = None
# Called after each job's commit (app.jobs.outbox adds its relay): the runner knows no caller.
AFTER_COMMIT: list[Callable[[], object]] = []


def run(job_name: str, payload: dict[str, Any], message_id: int | None = None) -> Any:
    """Run a registered job; retry only transient errors (RQ's Retry does the waiting).

    Each job runs in an app context of its own: its own database session (removed when
    it ends) and its own `g`, so nothing one job leaves behind reaches the next one a
    long-lived worker runs, nor the request after which a job runs inline.
    """
    app = current_app._get_current_object() if has_app_context() else _app()  # `rq worker`: no flask CLI
    with app.app_context():
        return _run(registry.spec(job_name), payload)


def _run(spec: registry.JobSpec, payload: dict[str, Any]) -> Any:
    try:
        result = spec.func(**payload)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if not registry.is_transient(exc):
            _no_more_retries()
        raise
    except BaseException:  # the worker being shut down: leave the retry policy to RQ
        db.session.rollback()
        raise
    # What the job emitted goes out now, not at the next periodic relay (the outbox hooks
    # its relay in here; the "relay due" flag lives on this context's session).
    for hook in AFTER_COMMIT:
        hook()
    return result


def _app() -> Flask:
    """One app per process for jobs run by a plain `rq worker` (not one per job)."""
    global _standalone_app
    if _standalone_app is None:
        from app import create_app

        _standalone_app = create_app()
    return _standalone_app


def _no_more_retries() -> None:
    """A non-transient failure goes straight to the failed list.

    RQ decides whether to retry from `job.retries_left` of the very Job object whose
    function raised (`get_current_job()` returns that object), right after the function
    returns: setting it to 0 here is what stops the retry. It is also written to Redis
    so that the job's hash tells the same story (and a manual requeue from the Jobs page
    runs it once, without automatic retries).
    """
    from rq import get_current_job

    current = get_current_job()
    if current is None or not current.retries_left:
        return
    current.retries_left = 0
    try:
        current.connection.hset(current.key, "retries_left", 0)
    except Exception:  # noqa: BLE001 - the in-memory value is what stops the retry
        log.warning("could not record retries_left=0 for job %s", current.id)


def attempt_inline(job_name: str, payload: dict[str, Any], message_id: int | None = None) -> Exception | None:
    """Run now in this process; the exception (logged) on failure, None on success.

    The job gets an app context (and so a database session) of its own, as it would in
    a worker: the caller's session, objects and `g` (a request's, when the relay runs
    after a request) are left alone.
    """
    with current_app.app_context():
        try:
            run(job_name, payload, message_id)
            return None
        except Exception as exc:
            log.exception("inline job %s failed (message %s)", job_name, message_id)
            return exc


def raise_inline_errors() -> bool:
    """Tests may ask for inline job failures to propagate (RAISE_INLINE_JOB_ERRORS)."""
    return bool(current_app.config.get("TESTING") and current_app.config.get("RAISE_INLINE_JOB_ERRORS"))


def run_inline(job_name: str, payload: dict[str, Any], message_id: int | None = None) -> bool:
    """Run now in this process; False (and logged) on failure, so the caller goes on."""
    error = attempt_inline(job_name, payload, message_id)
    if error is not None and raise_inline_errors():
        raise error
    return error is None
