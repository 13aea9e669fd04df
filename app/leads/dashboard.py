"""The leads numbers on the station dashboard: new today, overdue tasks, hot leads."""

from __future__ import annotations

from sqlalchemy import func, select

from app.dashboard.services import Stat, Window, contributes
from app.extensions import db
from app.models.lead import OPEN_LEAD_STAGES, Lead, Task


@contributes(order=15)
def lead_numbers(station_id: int, window: Window) -> list[Stat]:
    here = (Lead.station_id == station_id) & Lead.merged_into_id.is_(None)
    new_today, hot = db.session.execute(
        select(
            func.count().filter((Lead.created_at >= window.today_start) & (Lead.created_at < window.today_end)),
            func.count().filter(Lead.stage.in_(OPEN_LEAD_STAGES) & (Lead.temperature == "hot")),
        ).where(
            here,
            # What the two figures count, said up front: PostgreSQL reads today's leads and
            # the hot open ones (ix_leads_hot_open) instead of every lead of the station.
            (Lead.created_at >= window.today_start) | (Lead.stage.in_(OPEN_LEAD_STAGES) & (Lead.temperature == "hot")),
        )
    ).one()
    overdue = db.session.scalar(
        select(func.count()).where(Task.station_id == station_id, Task.done_at.is_(None), Task.due_at < window.now)
    )
    return [
        Stat("New leads today", new_today, "leads.lead_list", {"sort": "-created"}),
        Stat("Overdue tasks", overdue, "leads.task_list", {"view": "overdue"}, "bad" if overdue else ""),
        Stat("Hot leads", hot, "leads.lead_list", {"temperature": "hot", "sort": "-score"}),
    ]
