"""Alerts to a station's managers (an escalated message, a low rating): one email each, once."""

from __future__ import annotations

from app.models.station import Station
from app.models.user import Role
from app.notifications import compose
from app.notifications.sending import Spec, send_all, store
from app.tenancy import members


def email_managers(
    station: Station, *, key: str, kind: str, subject: str, body: str, booking_id: int | None = None
) -> dict[str, int]:
    """Write (once per `key` and manager) and send the alert; a retried job sends nothing more."""
    specs = [
        Spec(f"{key}:email:manager-{user.id}", kind, "email", user.email) for user in members(station.id, Role.MANAGER)
    ]
    rendered = compose.Rendered(subject=subject[:255], body_text=body, body_html=None)
    ids = store(specs, station_id=station.id, booking_id=booking_id, render=lambda spec: rendered)
    return send_all(ids)
