"""Liveness, readiness and build information for load balancers and humans."""

from __future__ import annotations

from flask import current_app, jsonify

from app.extensions import limiter
from app.ops import bp
from app.ops.access import may_read_info, refused
from app.ops.checks import check_database, check_redis, config_summary


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up (no dependencies checked)."""
    return jsonify(status="ok")


@bp.get("/ready")
@limiter.exempt
def ready():
    """The database and, when configured, Redis answer; 503 names the failing part."""
    checks = {"database": check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = check_redis(current_app.config["REDIS_URL"])
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "ok" if not failing else "unavailable", "checks": checks}
    if failing:
        body["failing"] = failing
    return jsonify(body), (503 if failing else 200)


@bp.get("/info")
@limiter.exempt
def info():
    """Version, git revision, versions and service modes: for owners and the metrics token."""
    if not may_read_info():
        return refused(401, "Sign in as an owner, or send the metrics token as a bearer token.")
    response = jsonify(config_summary(current_app))
    response.headers["Cache-Control"] = "no-store"
    return response
