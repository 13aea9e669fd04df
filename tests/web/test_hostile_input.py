"""Hostile input found in review: answered with 4xx (or ignored), never a 500."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models.newsletter import Subscriber
from tests.leads.factories import make_lead
from tests.support import isolated_world, session_as_role  # noqa: F401

HUGE = "99999999999999999999"


@pytest.fixture
def lead_id(app, world):
    with app.app_context():
        lead = make_lead(world.station.id)
        db.session.commit()
        return lead.id


def test_ids_beyond_the_database_range_are_not_found(as_role, lead_id):
    manager = as_role("manager")
    assert manager.get(f"/s/alpha/leads/{HUGE}").status_code == 404
    assert manager.post_form(f"/s/alpha/reviews/{HUGE}/flags", {"featured": "1"}).status_code == 404
    assert manager.post_form(f"/s/alpha/leads/{lead_id}/owner", {"owner_id": HUGE}).status_code == 303  # flashed
    assert manager.get(f"/s/alpha/leads/list?owner={HUGE}").status_code == 200


def test_unicode_digits_are_not_ids(as_role, lead_id):
    manager = as_role("manager")
    assert manager.get("/s/alpha/leads/list?owner=%C2%B2").status_code == 200
    assert manager.post_form(f"/s/alpha/leads/{lead_id}/owner", {"owner_id": "²"}).status_code == 303  # flashed


def test_dates_near_the_calendar_ends_are_refused_or_ignored(as_role, lead_id):
    manager = as_role("manager")
    assert manager.get("/s/alpha/analytics/?from=0001-01-01&to=0001-01-05").status_code == 200
    assert manager.get("/s/alpha/analytics/revenue?from=9999-12-20&to=9999-12-31").status_code == 200
    due = {"title": "Call back", "due_at": "9999-12-31T23:59"}
    assert manager.post_form(f"/s/alpha/leads/{lead_id}/tasks", due).status_code == 303  # refused, flashed
    with manager.application.app_context():
        from app.models.lead import Task

        assert not db.session.scalar(db.select(Task).where(Task.title == "Call back"))


def test_a_nul_byte_in_a_path_is_a_400(client):
    assert client.get("/n/c/abc%00def").status_code == 400


def test_a_large_raw_email_posted_as_a_form_field_reaches_the_webhook(app, make_app):
    hooked = make_app(INBOUND_EMAIL_TOKEN="secret-token")
    raw = "From: a@example.com\r\nTo: nobody@example.com\r\nSubject: hi\r\n\r\n" + ("x" * 700_000)
    response = hooked.test_client().post(
        "/webhooks/email/inbound?token=secret-token", data={"email": raw}, content_type="multipart/form-data"
    )
    assert response.status_code == 200  # no station has that address: skipped, but not a 413


def test_a_stranger_cannot_rename_a_confirmed_subscriber(app, world, client):
    with app.app_context():
        db.session.add(
            Subscriber(station_id=world.station.id, email="victim@example.com", name="Vera", email_status="subscribed")
        )
        db.session.commit()
    body = {
        "station": "alpha",
        "email": "victim@example.com",
        "name": "https://evil.example/pay",
        "phone": "+14045550166",
        "email_consent": True,
        "email_consent_text": "Send me news.",
    }
    assert client.post("/api/v1/newsletter/subscriptions", json=body).status_code < 500
    with app.app_context():
        victim = db.session.scalar(db.select(Subscriber).where(Subscriber.email == "victim@example.com"))
        assert (victim.name, victim.phone) == ("Vera", None)


def test_a_name_that_is_a_link_is_never_put_in_a_campaign():
    from app.newsletter.campaigns import first_name

    assert first_name("https://evil.example/pay") == "there"
    assert first_name("<b>Ann</b>") == "there"
    assert first_name("Zoë-Ann O'Neil") == "Zoë-Ann"
