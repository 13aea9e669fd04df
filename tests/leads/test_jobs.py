"""The nightly rescore: time alone changes a score (the party date comes closer)."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from app.extensions import db
from app.leads.jobs import rescore_open
from app.models.lead import Lead
from tests.leads.factories import make_lead


def test_open_leads_are_rescored_as_their_date_comes_closer(app, world):
    with app.app_context():
        party_day = date.today() + timedelta(days=90)
        lead = make_lead(world.station.id, event_date=party_day, guests=20, phone="+14045550188")
        won = make_lead(world.station.id, event_date=party_day, guests=20)
        won.stage = "won"
        db.session.commit()
        before = lead.score
        with time_machine.travel(party_day - timedelta(days=5)):
            result = rescore_open()
        after = db.session.get(Lead, lead.id)
        assert after.score > before and result["changed"] >= 1
        assert result["open_leads"] == 1  # the won lead is left as it was
