"""Job functions by name, with their queue and retry policy.

Jobs take ids (never ORM objects), reload rows, are idempotent, and raise
`TransientError` for failures worth retrying (network, provider 5xx); a job that runs
past its timeout is retried too. Anything else goes straight to the failed list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

QUEUES = ("default", "notifications", "ai", "periodic")


class TransientError(Exception):
    """A failure that may pass: the job is retried with backoff."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., object]
    queue: str
    retries: int
    timeout: int


JOBS: dict[str, JobSpec] = {}
RETRY_INTERVALS = [10, 60, 300, 900]  # seconds between attempts


def job(name: str, *, queue: str = "default", retries: int = 3, timeout: int = 120):
    """Register `func` as the job `name` (the outbox refers to jobs by name)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def decorator(func: Callable[..., object]) -> Callable[..., object]:
        JOBS[name] = JobSpec(name, func, queue, retries, timeout)
        return func

    return decorator


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is worth retrying: TransientError, or the job timed out."""
    from rq.timeouts import BaseTimeoutException

    return isinstance(exc, TransientError | BaseTimeoutException)


def spec(name: str) -> JobSpec:
    try:
        return JOBS[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}; is its module imported in app.jobs.catalog?") from None
