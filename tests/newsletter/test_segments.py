"""Segment rules evaluated in SQL, and the segment pages with their count preview."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.lead import Lead
from app.models.newsletter import Segment
from app.newsletter import segments
from tests.customers.factories import BookingFactory, CustomerFactory
from tests.newsletter.conftest import subscriber


def members(station_id, rules, channel="email") -> set[str]:
    ids = db.session.scalars(segments.members(station_id, rules, channel)).all()
    from app.models.newsletter import Subscriber

    return {db.session.get(Subscriber, i).name for i in ids}


def test_rules_pick_past_customers_lead_stages_and_tags(svc, world):
    done = CustomerFactory(station_id=svc)
    BookingFactory(customer=done, status="completed")
    upcoming = CustomerFactory(station_id=svc)
    BookingFactory(customer=upcoming, status="confirmed")
    quoted = Lead(station_id=svc, name="Q", email="q@example.com", stage="quoted", source="api")
    won = Lead(station_id=svc, name="W", email="w@example.com", stage="won", source="api")
    db.session.add_all([quoted, won])
    db.session.flush()
    mail = {"email_status": "subscribed"}
    subscriber(svc, name="past", email="past@example.com", customer_id=done.id, tags=["birthday"], **mail)
    subscriber(svc, name="future", email="future@example.com", customer_id=upcoming.id, **mail)
    subscriber(svc, name="quoted", email="q@example.com", lead_id=quoted.id, tags=["corporate", "vip"], **mail)
    subscriber(svc, name="won", email="w@example.com", lead_id=won.id, **mail)
    subscriber(svc, name="texter", phone="+14045550142", sms_status="subscribed", tags=["birthday"])
    subscriber(svc, name="pending", email="p@example.com", email_status="pending", customer_id=done.id)
    other_station = world.other.id
    subscriber(other_station, name="elsewhere", email="past@example.com", **mail)

    assert members(svc, {}) == {"past", "future", "quoted", "won"}
    assert members(svc, {}, "sms") == {"texter"}
    assert members(svc, {"past_customers": True}) == {"past"}
    assert members(svc, {"lead_stages": ["quoted", "new"]}) == {"quoted"}
    assert members(svc, {"tags": ["vip", "birthday"]}) == {"past", "quoted"}
    assert members(svc, {"tags": ["birthday"]}, "sms") == {"texter"}
    assert members(svc, {"past_customers": True, "tags": ["corporate"]}) == set()
    assert segments.counts(svc, {"tags": ["birthday"]}) == {"email": 1, "sms": 1}


def test_segment_pages_create_edit_count_and_delete(app, world, as_role, dbq):
    manager = as_role("manager")
    base = "/s/alpha/newsletter/segments"
    assert manager.get(base).status_code == 200
    assert manager.get(f"{base}/new").status_code == 200
    count = manager.htmx("get", f"{base}/count?past_customers=on&tags=birthday,%20vip")
    assert count.status_code == 200 and b"by email" in count.data
    bad = manager.htmx("get", f"{base}/count?lead_stages=bogus")
    assert bad.status_code == 200 and b"Unknown lead stage" in bad.data

    response = manager.post_form(f"{base}/new", {"name": "VIPs", "tags": "VIP, birthday", "lead_stages": ["quoted"]})
    assert response.status_code == 303
    segment = dbq.scalar(select(Segment).where(Segment.name == "VIPs"))
    assert segment.rules == {"past_customers": False, "lead_stages": ["quoted"], "tags": ["vip", "birthday"]}
    assert manager.post_form(f"{base}/new", {"name": "VIPs"}).status_code == 422  # the name is taken
    assert manager.post_form(f"{base}/new", {"name": ""}).status_code == 422

    assert manager.get(f"{base}/{segment.id}/edit").status_code == 200
    assert manager.post_form(f"{base}/{segment.id}/edit", {"name": "Past", "past_customers": "on"}).status_code == 303
    assert dbq.get(Segment, segment.id).rules["past_customers"] is True
    assert as_role("other_manager").get(f"{base}/{segment.id}/edit").status_code == 404
    assert as_role("staff").get(base).status_code == 403
    assert manager.post_form(f"{base}/{segment.id}/delete").status_code == 303
    assert dbq.get(Segment, segment.id) is None
