"""The demo seeder: leads across stages and sources, with events, tasks and scores; idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.leads.demo import LEADS_PER_STATION, seed_leads
from app.models.base import utcnow
from app.models.lead import Lead, LeadEvent, Task
from app.models.station import Station
from app.models.user import User


def test_the_demo_seeder_runs_and_runs_once(app, world):
    with app.app_context():
        stations = {s.slug: s for s in db.session.scalars(select(Station))}
        users = {u.email: u for u in db.session.scalars(select(User))}
        seed_leads(stations, users)
        seed_leads(stations, users)
        for station in stations.values():
            leads = db.session.scalars(select(Lead).where(Lead.station_id == station.id)).all()
            assert len(leads) == LEADS_PER_STATION
            assert len({lead.stage for lead in leads}) >= 4 and len({lead.source for lead in leads}) >= 4
            assert all(lead.score_reasons and 0 <= lead.score <= 100 for lead in leads)
        events = db.session.scalar(select(func.count()).select_from(LeadEvent))
        overdue = db.session.scalar(
            select(func.count()).where(Task.done_at.is_(None), Task.due_at < utcnow()).select_from(Task)
        )
        assert events > 2 * LEADS_PER_STATION and overdue > 0
