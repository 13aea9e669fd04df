"""Leads: the pipeline board and list, the lead page, scoring, tasks, duplicates.

- services.py: `capture()` (every source creates leads through it), stages, notes,
  quotes; conversion.py: the booking form pre-filled, `link_booking()`; scoring.py: the
  pure score; tasks.py: follow-up tasks and the automatic first-response task;
  merging.py: duplicates; queries.py: reads; forms.py: the staff forms.
"""

from app.web.access import station_blueprint

bp = station_blueprint("leads", __name__, "/leads")

from app.leads import dashboard, demo, views  # noqa: E402,F401
