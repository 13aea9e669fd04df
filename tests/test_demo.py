"""`flask seed-demo` on SQLite, as `make run` uses it: progress, every state, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from app.extensions import db
from app.models.booking import Booking
from app.models.outbox import Notification, OutboxMessage
from tests.support import make_app_fixture  # noqa: F401

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _counts() -> dict[str, int]:
    return {
        "bookings": db.session.scalar(select(func.count()).select_from(Booking)),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
    }


def test_seed_demo_shows_progress_runs_its_jobs_and_is_idempotent(make_app, tmp_path):
    demo = make_app(share_db=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.db'}")
    with demo.app_context():
        upgrade(directory=MIGRATIONS)

    first = demo.test_cli_runner().invoke(args=["seed-demo"])

    assert first.exit_code == 0, first.output
    for area in ("bookings", "leads", "inbox", "running the jobs the demo data called for", "jobs run"):
        assert area in first.output
    assert "manager@teppan.example" in first.output
    with demo.app_context():
        statuses = set(db.session.scalars(select(Booking.status).distinct()))
        assert {"pending_deposit", "confirmed", "completed", "no_show", "expired"} <= statuses
        assert db.session.scalar(select(func.count()).where(OutboxMessage.dispatched_at.is_(None))) == 0
        # Upcoming parties were announced (recorded, nothing left the machine)...
        announced = db.session.scalars(
            select(Booking.event_date).join(Notification, Notification.booking_id == Booking.id)
        ).all()
        assert announced and min(announced) >= datetime.now(UTC).date()
        # ...past ones were announced "back then", not again today.
        past = db.session.scalar(select(func.count()).where(Booking.event_date < datetime.now(UTC).date()))
        assert past > 0
        before = _counts()

    second = demo.test_cli_runner().invoke(args=["seed-demo"])

    assert second.exit_code == 0, second.output
    with demo.app_context():
        assert _counts() == before
        db.engine.dispose()
