"""Leads for tests, made through the real capture service (events, score, first-response task)."""

from __future__ import annotations

from itertools import count
from typing import Any

from app.extensions import db
from app.leads import services
from app.models.lead import Lead, Task
from app.models.station import Station

_numbers = count(1)


def make_lead(station_id: int, **fields: Any) -> Lead:
    """A new lead of the station (a fresh email unless given); call inside an app context."""
    n = next(_numbers)
    values: dict[str, Any] = {"source": "quote_request", "name": f"Lead {n}", "email": f"lead{n}@example.com"}
    values.update(fields)
    return services.capture(db.session.get(Station, station_id), **values).lead


def first_response_task(lead: Lead) -> Task:
    return db.session.scalar(db.select(Task).where(Task.auto_key == f"lead:{lead.id}:first_response"))
