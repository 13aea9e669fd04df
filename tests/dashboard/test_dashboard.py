"""The station dashboard shows real counts, per station, zero when empty."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app import audit
from app.dashboard.services import station_window
from app.extensions import db
from app.models.station import Station
from app.models.user import Role
from tests.factories import StationFactory, member


def stat(html: str, label: str) -> str:
    match = re.search(rf'data-stat="{re.escape(label)}".*?class="stat-value">([^<]*)<', html, re.DOTALL)
    assert match, f"no {label!r} on the dashboard"
    return match.group(1).strip()


def test_team_members_count_is_real(app, as_role, world):
    html = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert stat(html, "Team members") == "3"  # manager, staff, chef

    with app.app_context():
        member(db.session.get(Station, world.station.id), Role.CHEF, email="chef2@example.com")
        db.session.commit()
    html = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert stat(html, "Team members") == "4"


def test_counts_are_per_station(as_role, world):
    html = as_role("owner").get("/s/beta/").get_data(as_text=True)
    assert stat(html, "Team members") == "2"


def test_an_empty_station_shows_zeros(app, as_role, world):
    with app.app_context():
        StationFactory(slug="empty", name="Empty")
        db.session.commit()
    html = as_role("owner").get("/s/empty/").get_data(as_text=True)
    assert stat(html, "Team members") == "0"
    assert stat(html, "Changes logged today") == "0"


def test_changes_logged_today_counts_this_stations_entries(app, as_role, world):
    with app.test_request_context():
        for _ in range(2):
            audit.record("probe.thing", station_id=world.station.id, entity_type="Probe")
        audit.record("probe.thing", station_id=world.other.id, entity_type="Probe")
        db.session.commit()
    html = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert stat(html, "Changes logged today") == "2"


def test_the_day_is_the_stations_local_day_across_dst():
    # 8 March 2026 is the spring-forward day in Chicago: 23 hours, CST (UTC-6) to CDT (UTC-5).
    window = station_window("America/Chicago", datetime(2026, 3, 8, 18, 0, tzinfo=UTC))
    assert window.today_start == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)
    assert window.today_end == datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    # 03:00 UTC on 10 March is still 9 March in Chicago.
    late = station_window("America/Chicago", datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
    assert late.today_start == datetime(2026, 3, 9, 5, 0, tzinfo=UTC)


def test_dashboard_links_numbers_only_where_the_role_may_go(as_role, world):
    manager = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    chef = as_role("chef").get("/s/alpha/").get_data(as_text=True)
    assert 'href="/s/alpha/team/"' in manager
    assert 'href="/s/alpha/team/"' not in chef
