"""Leads: the pipeline board and list, the lead page, scoring, tasks, duplicates."""

from app.web.access import station_blueprint

bp = station_blueprint("leads", __name__, "/leads")

from app.leads import views  # noqa: E402,F401
