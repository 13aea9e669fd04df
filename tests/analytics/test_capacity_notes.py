"""Which station changes make the rollups redo the station's capacity days."""

from __future__ import annotations

from app.analytics.maintenance import NOTES
from app.extensions import db
from app.models.station import Station


def _capacity_noted(station: Station) -> bool:
    db.session.info.pop(NOTES, None)
    db.session.flush()
    return ["capacity", station.id, None] in db.session.info.get(NOTES, [])


def test_a_renamed_station_keeps_its_capacity_days_but_new_slot_times_redo_them(app, world):
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        station.name = "Alpha, renamed"
        assert not _capacity_noted(station)  # a rename redid every stored day before (2.5 s at bench size)
        station.settings_overrides = {**(station.settings_overrides or {}), "slot_times": ["11:00", "17:00"]}
        assert _capacity_noted(station)
        station.timezone = "America/Chicago"
        assert _capacity_noted(station)
        db.session.rollback()
