"""Lead jobs: the nightly rescore.

A score depends on time (the event date coming closer, a first response still missing
past the SLA), not only on changes to the lead, so open leads are rescored every day.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.jobs.registry import job
from app.leads.services import rescore
from app.models.base import utcnow
from app.models.lead import OPEN_LEAD_STAGES, Lead
from app.models.station import Station

BATCH = 500  # leads per commit: a station's pipeline in a few short transactions


@job("leads.rescore_open", queue="periodic", retries=0, timeout=600)
def rescore_open() -> dict[str, int]:
    """Recompute score, reasons and temperature of every open, unmerged lead; returns how many changed."""
    now = utcnow()
    seen = changed = 0
    stations = {station.id: station for station in db.session.scalars(select(Station))}
    last_id = 0
    while True:
        leads = db.session.scalars(
            select(Lead)
            .where(Lead.id > last_id, Lead.stage.in_(OPEN_LEAD_STAGES), Lead.merged_into_id.is_(None))
            .order_by(Lead.id)
            .limit(BATCH)
        ).all()
        if not leads:
            break
        for lead in leads:
            before = (lead.score, lead.temperature)
            rescore(lead, station=stations[lead.station_id], now=now)
            changed += (lead.score, lead.temperature) != before
        seen += len(leads)
        last_id = leads[-1].id
        db.session.commit()
    return {"open_leads": seen, "changed": changed}
