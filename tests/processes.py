"""The environment of a real app process started by a test (gunicorn, `flask worker`, ...).

Production mode, as deployed; the caller adds the database, Redis and providers it wants.
Nothing of the test process's own setup leaks in (Prometheus multiprocess directory,
Sentry, provider credentials, a rate-limit storage).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_PREFIXES = ("TWILIO_", "STRIPE_", "OPENAI_", "SMTP_", "META_", "IMAP_")
DROPPED = ("PROMETHEUS_MULTIPROC_DIR", "SENTRY_DSN", "RATELIMIT_STORAGE_URI", "FLASK_APP", "METRICS_TOKEN")


def production_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED and not k.startswith(PROVIDER_PREFIXES)}
    env.update(
        TEPPAN_ENV="production",
        SECRET_KEY="process-test-secret",
        PUBLIC_BASE_URL="https://teppan.example",
        LOG_LEVEL="WARNING",
    )
    env.update(values)
    return env
