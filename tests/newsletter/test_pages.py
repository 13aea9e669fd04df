"""Campaign pages: compose, preview, test send, schedule, send now, progress; subscribers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.newsletter import Campaign, Segment, SubscriptionConsent
from app.models.outbox import Notification
from app.newsletter import campaigns
from tests.newsletter.conftest import subscriber

BASE = "/s/alpha/newsletter"


def setup_audience(app, station_id) -> int:
    with app.app_context():
        subscriber(station_id, name="Ada Lovelace", email="ada@example.com", email_status="subscribed", tags=["vip"])
        segment = Segment(station_id=station_id, name="Everyone", rules={})
        db.session.add(segment)
        db.session.commit()
        return segment.id


def test_compose_preview_test_send_and_send_now(app, world, as_role, dbq, smtp):
    segment_id = setup_audience(app, world.station.id)
    manager = as_role("manager")
    assert manager.get(f"{BASE}/").status_code == 200
    assert manager.get(f"{BASE}/campaigns/new").status_code == 200
    refused = manager.post_form(f"{BASE}/campaigns/new", {"name": "", "channel": "email", "body": ""})
    assert refused.status_code == 422 and b"An email needs a subject" in refused.data
    form = {
        "name": "Spring",
        "channel": "email",
        "subject": "Hi {first_name}",
        "body": "Hi {first_name}, see https://teppan.example/menu",
        "segment_id": str(segment_id),
    }
    created = manager.post_form(f"{BASE}/campaigns/new", form)
    assert created.status_code == 303
    campaign = dbq.scalar(select(Campaign).where(Campaign.name == "Spring"))
    page = manager.get(f"{BASE}/campaigns/{campaign.id}")
    assert page.status_code == 200 and b"reaches 1 subscriber" in page.data

    preview = manager.htmx("get", f"{BASE}/campaigns/{campaign.id}/preview")
    assert preview.status_code == 200 and b"Hi Ada, see https://teppan.example/menu" in preview.data
    assert b"<html" not in preview.data  # the fragment only
    assert manager.get(f"{BASE}/campaigns/{campaign.id}/preview").status_code == 200

    assert manager.post_form(f"{BASE}/campaigns/{campaign.id}/test").status_code == 303
    assert [m["To"] for m in smtp.messages] == [world.users["manager"].email]
    assert smtp.messages[0]["Subject"].startswith("[Test] Hi ")
    assert dbq.count(Notification, Notification.kind == "newsletter_test", Notification.status == "sent") == 1

    assert manager.post_form(f"{BASE}/campaigns/{campaign.id}/send").status_code == 303
    # No Redis in tests: the batches ran inline after the request.
    campaign = dbq.get(Campaign, campaign.id)
    assert (campaign.status, campaign.total) == ("sent", 1)
    with app.app_context():
        assert campaigns.stats(dbq.get(Campaign, campaign.id)).sent == 1
    assert smtp.messages[-1]["To"] == "ada@example.com"
    assert manager.post_form(f"{BASE}/campaigns/{campaign.id}/send").status_code == 303  # refused, flashed
    assert len(smtp.messages) == 2

    fragment = manager.htmx("get", f"{BASE}/campaigns/{campaign.id}/progress")
    assert b"<progress" in fragment.data and b"hx-trigger" not in fragment.data  # done: no more polling
    plain = manager.get(f"{BASE}/campaigns/{campaign.id}/progress")
    assert plain.status_code == 302
    assert manager.get(f"{BASE}/campaigns/{campaign.id}/edit").status_code == 200
    assert manager.post_form(f"{BASE}/campaigns/{campaign.id}/edit", form).status_code == 422  # started: read-only


def test_sms_test_send_needs_a_number_and_schedule_needs_the_future(app, world, as_role, dbq):
    segment_id = setup_audience(app, world.station.id)
    manager = as_role("manager")
    form = {"name": "Texts", "channel": "sms", "body": "Hi {first_name}!", "segment_id": str(segment_id)}
    assert manager.post_form(f"{BASE}/campaigns/new", form).status_code == 303
    campaign = dbq.scalar(select(Campaign).where(Campaign.name == "Texts"))
    url = f"{BASE}/campaigns/{campaign.id}"
    assert manager.post_form(f"{url}/test", {"phone": "12"}).status_code == 303
    assert dbq.count(Notification) == 0
    assert manager.post_form(f"{url}/test", {"phone": "(404) 555-0177"}).status_code == 303
    sent = dbq.scalar(select(Notification).where(Notification.kind == "newsletter_test"))
    first_name = world.users["manager"].name.split(" ")[0]
    assert (sent.recipient, sent.body_text) == ("+14045550177", f"Hi {first_name}! Reply STOP to opt out.")

    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    manager.post_form(f"{url}/schedule", {"scheduled_at": past})
    assert dbq.get(Campaign, campaign.id).status == "draft"
    future = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    manager.post_form(f"{url}/schedule", {"scheduled_at": future})
    assert dbq.get(Campaign, campaign.id).status == "scheduled"
    manager.post_form(f"{url}/cancel")
    assert dbq.get(Campaign, campaign.id).status == "draft"


def test_subscriber_list_filters_and_ledger(app, world, as_role):
    with app.app_context():
        ada = subscriber(
            world.station.id, name="Ada Lovelace", email="ada@example.com", email_status="subscribed", tags=["vip"]
        )
        subscriber(world.station.id, name="Bo Diddley", phone="+14045550111", sms_status="subscribed")
        db.session.add(
            SubscriptionConsent(
                station_id=ada.station_id,
                subscriber_id=ada.id,
                channel="email",
                granted=True,
                text="Email me",
                source="api.subscribe",
                ip_address="198.51.100.7",
            )
        )
        db.session.commit()
        ada_id = ada.id
    manager = as_role("manager")
    page = manager.get(f"{BASE}/subscribers")
    assert b"Ada Lovelace" in page.data and b"Bo Diddley" in page.data
    found = manager.htmx("get", f"{BASE}/subscribers?q=ada")
    assert b"Ada Lovelace" in found.data and b"Bo Diddley" not in found.data and b"<html" not in found.data
    assert b"Bo Diddley" in manager.get(f"{BASE}/subscribers?sms_status=subscribed").data
    assert b"Ada Lovelace" not in manager.get(f"{BASE}/subscribers?sms_status=subscribed").data
    assert b"Ada Lovelace" in manager.get(f"{BASE}/subscribers?tag=vip").data
    detail = manager.get(f"{BASE}/subscribers/{ada_id}")
    assert b"198.51.100.7" in detail.data and b"Email me" in detail.data
    assert as_role("other_manager").get(f"{BASE}/subscribers/{ada_id}").status_code == 404
