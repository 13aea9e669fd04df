"""The leads numbers on the station dashboard."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.leads import services
from app.models.base import utcnow
from tests.dashboard.test_dashboard import stat
from tests.leads.factories import make_lead


def test_new_today_overdue_tasks_and_hot_leads(app, world, as_role):
    with app.app_context():
        soon = utcnow().date() + timedelta(days=7)
        hot = dict(phone="+14045550101", event_date=soon, guests=20, zip_code="30303")
        make_lead(world.station.id, **hot)  # hot, new today, its task not yet due
        make_lead(world.station.id, source="contact_form", now=utcnow() - timedelta(days=3))  # overdue task
        lost = make_lead(world.station.id, **{**hot, "phone": "+14045550102"})
        services.move(lost, "lost", None, lost_reason="Budget")  # hot but closed
        make_lead(world.other.id, **hot)  # another station's
        db.session.commit()
    html = as_role("staff").get("/s/alpha/").get_data(as_text=True)
    assert stat(html, "New leads today") == "2"
    assert stat(html, "Overdue tasks") == "1"
    assert stat(html, "Hot leads") == "1"
    assert "/s/alpha/leads/tasks?view=overdue" in html


def test_an_empty_station_shows_zeros(as_role, world):
    html = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert [stat(html, label) for label in ("New leads today", "Overdue tasks", "Hot leads")] == ["0", "0", "0"]
