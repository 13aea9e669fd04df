"""The audit log page: entries, filters, owners only; the sent-messages page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import audit
from app.extensions import db
from app.mail import queue_email
from app.models.station import Station
from app.models.user import User
from tests.conftest import sign_in


@pytest.fixture
def entries(app, world):
    """One entry at each station and one business-wide, by different actors."""
    with app.test_request_context():
        alpha = db.session.get(Station, world.station.id)
        beta = db.session.get(Station, world.other.id)
        audit.record("probe.alpha_thing", alpha, station_id=alpha.id, actor_id=world.users["manager"].id)
        audit.record("probe.beta_thing", beta, station_id=beta.id, actor_id=world.users["other_manager"].id)
        audit.record("other.global_thing", db.session.get(User, world.users["owner"].id), station_id=None)
        db.session.commit()


def test_audit_page_lists_entries(as_role, entries):
    html = as_role("owner").get("/admin/audit").get_data(as_text=True)
    for action in ("probe.alpha_thing", "probe.beta_thing", "other.global_thing"):
        assert action in html


def test_audit_filters_by_station(as_role, world, entries):
    client = as_role("owner")
    html = client.get(f"/admin/audit?station={world.station.id}").get_data(as_text=True)
    assert "probe.alpha_thing" in html
    assert "probe.beta_thing" not in html
    assert "other.global_thing" not in html


def test_audit_filters_by_action_prefix_and_actor(as_role, entries):
    client = as_role("owner")
    html = client.get("/admin/audit?action=probe.").get_data(as_text=True)
    assert "probe.alpha_thing" in html and "probe.beta_thing" in html
    assert "other.global_thing" not in html
    html = client.get("/admin/audit?actor=OTHER@example").get_data(as_text=True)
    assert "probe.beta_thing" in html
    assert "probe.alpha_thing" not in html


def test_audit_htmx_returns_the_table_only(as_role, world, entries):
    response = as_role("owner").get(f"/admin/audit?station={world.other.id}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.data
    assert b"probe.beta_thing" in response.data
    assert "HX-Request" in response.headers["Vary"]


def test_audit_entries_carry_the_request_id_and_ip(app, world, dbq):
    from sqlalchemy import select

    from app.models.audit import AuditEntry

    client = app.test_client()
    # (sign in from that address too: session protection ends a session that moves)
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    sign_in(client, "owner@example.com")
    response = client.post_form(
        "/admin/users/invite",
        {"name": "Ip Check", "email": "ip@example.com", "role": "staff", "station_id": world.station.id},
        headers={"X-Request-ID": "req-audit-1"},
    )
    assert response.status_code == 303
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "membership.added"))
    assert entry.request_id == "req-audit-1"
    assert entry.ip_address == "198.51.100.23"


def test_audit_snapshots_never_hold_secrets(app, world):
    with app.app_context():
        user = db.session.get(User, world.users["staff"].id)
        snap = audit.snapshot(user)
    assert "password_hash" not in snap and "session_token" not in snap
    assert snap["email"] == "staff@example.com"


@pytest.mark.parametrize("role", ["manager", "staff", "chef", "other_manager"])
def test_only_owners_see_the_audit_log(as_role, entries, role):
    assert as_role(role).get("/admin/audit").status_code == 403
    assert as_role(role).get("/admin/messages").status_code == 403


def test_sent_messages_page_shows_recorded_email(app, as_role, world):
    with app.test_request_context():
        user = db.session.get(User, world.users["chef"].id)
        queue_email(
            to="chef@example.com",
            template="password_reset",
            kind="password_reset",
            user=user,
            reset_url="http://localhost/password/reset/x",
            max_age_minutes=60,
        )
        db.session.commit()
    html = as_role("owner").get("/admin/messages").get_data(as_text=True)
    assert "chef@example.com" in html


def test_audit_entries_read_as_fields_in_the_stations_time(app, as_role, world):
    with app.test_request_context():
        audit.record(
            "booking.updated",
            station_id=world.station.id,
            entity_type="Booking",
            entity_id=7,
            before={"paid_cents": 0, "notes": "x" * 300},
            after={"paid_cents": 10000, "upgrades": {"salmon": 2}},
        )
        db.session.commit()
    html = as_role("owner").get("/admin/audit?action=booking.updated").get_data(as_text=True)
    row = html[html.index("<code>booking.updated</code>") :]
    assert "<dt>paid cents</dt>" in row and "<dd>10000</dd>" in row
    assert '<code>{"salmon": 2}</code>' in row
    assert '<pre class="json">' not in html  # no raw JSON block to overflow the cell
    zone = "EST" if datetime.now(ZoneInfo("America/New_York")).dst() == timedelta(0) else "EDT"
    assert f" {zone}</td>" in html  # alpha is on New York time
