"""Dependency checks and the configuration summary (modes and versions: never an address or a credential)."""

from __future__ import annotations

import platform
import subprocess
from functools import lru_cache
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from app.extensions import db


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        db.session.rollback()
        return f"error: {type(exc).__name__}"


def check_redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"


@lru_cache(maxsize=1)
def git_revision() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def config_summary(app: Flask) -> dict:
    cfg = app.config
    return {
        "app": "teppan",
        "version": cfg["APP_VERSION"],
        "git_revision": cfg.get("GIT_REVISION") or git_revision(),
        "environment": cfg["ENV_NAME"],
        # Which kind of service, never where it is or how to log in (not even masked).
        "database": db.engine.dialect.name,
        "jobs": "redis" if cfg.get("REDIS_URL") else "inline",
        "email": "smtp" if cfg.get("SMTP_HOST") else "recorded",
        "sms": "twilio" if cfg.get("TWILIO_ACCOUNT_SID") else "recorded",
        "payments": "stripe" if cfg.get("STRIPE_SECRET_KEY") else "manual",
        "ai": "openai" if cfg.get("OPENAI_API_KEY") else "offline",
        "sentry": bool(cfg.get("SENTRY_DSN")),
        "public_site_origins": cfg.get("PUBLIC_SITE_ORIGINS", []),
        "versions": library_versions(),
    }


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Python and the libraries whose security fixes matter most here."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("flask", "werkzeug", "sqlalchemy", "psycopg", "redis", "rq", "flask-login", "stripe", "gunicorn"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found
