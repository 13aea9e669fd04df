"""The Sent messages list: every notification (booking messages, alerts, account email).

Each row shows its true delivery state (app.models.delivery): queued (with "deferred"
when a rule holds it until a time), sending, sent (and what the provider reported since:
delivered, undelivered), recorded (no provider configured), failed with the reason, or
not sent by a rule.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from app.extensions import db
from app.models.delivery import LABELS, STATES
from app.models.outbox import Notification

STATUSES = STATES
STATUS_LABELS = LABELS


def sent_messages(
    *, page: int, per_page: int = 25, channel: str = "", status: str = "", station_id: int | None = None
) -> Pagination:
    stmt = select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc())
    if channel in ("email", "sms"):
        stmt = stmt.where(Notification.channel == channel)
    if status in STATUSES:
        stmt = stmt.where(Notification.status == status)
    if station_id:
        stmt = stmt.where(Notification.station_id == station_id)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, max_per_page=100, error_out=False)


def status_counts(*, station_id: int | None = None) -> dict[str, int]:
    """How many rows are in each delivery state (sent and recorded told apart), in STATES order."""
    stmt = select(Notification.status, func.count()).group_by(Notification.status)
    if station_id:
        stmt = stmt.where(Notification.station_id == station_id)
    found = dict(db.session.execute(stmt).all())
    return {state: found[state] for state in STATUSES if found.get(state)}
