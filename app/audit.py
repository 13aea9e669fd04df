"""Write audit entries in the caller's transaction (the request or job commits)."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import inspect as sa_inspect

from app.extensions import client_ip, db
from app.models.audit import AuditEntry


def snapshot(obj: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a row's column values, for before/after."""
    mapper = sa_inspect(obj).mapper
    names = fields or [column.key for column in mapper.column_attrs]
    result: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        if name in {"password_hash", "session_token"}:
            continue  # secrets never reach the log
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        result[name] = value
    return result


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    action: str,
    entity: Any | None = None,
    *,
    entity_type: str | None = None,
    entity_id: Any | None = None,
    station_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; it commits (or rolls back) with the change."""
    if entity is not None:
        entity_type = entity_type or type(entity).__name__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
        if station_id is None:
            station_id = getattr(entity, "station_id", None)
    if station_id is None:
        station_id = g.get("station_id") if has_request_context() else None
    if actor_id is None and has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            actor_id = current_user.id
    entry = AuditEntry(
        actor_id=actor_id,
        station_id=station_id,
        action=action,
        entity_type=entity_type or "-",
        entity_id=str(entity_id) if entity_id is not None else None,
        before=before,
        after=after,
        request_id=g.get("request_id") if has_request_context() else None,
        ip_address=client_ip() if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
