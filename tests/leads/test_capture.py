"""capture(): one entry point for every source, duplicates, touches, the first-response task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.bookings.schemas import BookingRequest
from app.extensions import db
from app.leads import services
from app.models.lead import Lead, LeadEvent, Task
from app.models.qr import QrCode
from app.models.station import Station
from tests.leads.factories import first_response_task, make_lead

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def station(app, world):
    with app.app_context():
        yield db.session.get(Station, world.station.id)


def _count(model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def test_a_new_lead_gets_its_event_score_and_first_response_task(station, world):
    captured = services.capture(
        station,
        source="quote_request",
        name="Grace Hopper",
        email=" Grace@Example.com ",
        phone="(404) 555-0177",
        message="Party of 15?",
        event_date=date(2027, 3, 20),
        guests=15,
        zip_code="30303",
        attribution={"utm_source": "google", "utm_campaign": None},
        now=NOW,
    )
    lead = captured.lead
    assert captured.created
    assert (lead.email, lead.phone, lead.stage, lead.source) == (
        "grace@example.com",
        "+14045550177",
        "new",
        "quote_request",
    )
    assert (
        lead.first_touch
        == lead.last_touch
        == {"at": NOW.isoformat(), "source": "quote_request", "utm_source": "google"}
    )
    events = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)).all()
    assert [e.kind for e in events] == ["created"] and events[0].data["source"] == "quote_request"
    assert lead.score == 30 + 25 + 20 + 12  # not answered yet
    assert lead.temperature == "hot" and lead.score_reasons[0] == {"label": "Source: Quote request", "points": 30}
    task = first_response_task(lead)
    assert task.kind == "first_response" and task.done_at is None
    assert task.due_at == NOW + timedelta(minutes=station.settings.first_response_sla_minutes)
    assert task.owner_id == world.users["manager"].id  # nobody named: the station's manager


def test_the_same_person_writing_again_touches_their_open_lead(station):
    first = make_lead(station.id, email="ana@example.com", message="Hi", attribution={"utm_source": "google"})
    again = services.capture(
        station,
        source="webchat",
        name="Ana",
        email="ANA@example.com",
        phone="+14045550123",
        message="Also vegan?",
        guests=12,
        attribution={"utm_source": "newsletter"},
    )
    assert not again.created and again.lead.id == first.id
    assert first.first_touch["utm_source"] == "google" and first.last_touch["utm_source"] == "newsletter"
    assert first.phone == "+14045550123" and first.guests == 12 and "Hi" in first.message and "vegan" in first.message
    assert first.source == "quote_request"  # the first source stays
    assert _count(Lead, Lead.station_id == station.id) == 1
    assert _count(Task, Task.lead_id == first.id) == 1  # no second first-response task
    assert {e.kind for e in db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == first.id))} == {
        "created",
        "touched",
    }


def test_phones_match_once_normalised(station):
    first = make_lead(station.id, email=None, phone="+14045550199")
    assert services.capture(station, source="sms", name="x", phone="(404) 555-0199").lead.id == first.id


def test_closed_leads_and_other_stations_do_not_match(station, world):
    lost = make_lead(station.id, email="bo@example.com")
    services.move(lost, "lost", None, lost_reason="Budget")
    fresh = services.capture(station, source="contact_form", name="Bo", email="bo@example.com")
    assert fresh.created and fresh.lead.id != lost.id
    other = db.session.get(Station, world.other.id)
    elsewhere = services.capture(other, source="contact_form", name="Bo", email="bo@example.com")
    assert elsewhere.created and elsewhere.lead.station_id == other.id


def test_a_qr_code_in_the_attribution_is_linked(station):
    qr = QrCode(station_id=station.id, code="flyer2a", name="Flyer", target_url="https://example.com/")
    db.session.add(qr)
    db.session.flush()
    lead = make_lead(station.id, attribution={"qr_code": "FLYER2A", "utm_source": "flyer"})
    assert lead.qr_code_id == qr.id and lead.score_reasons[0]["label"] == "Source: QR code scan"


def test_an_inbound_stranger_without_contact_details_still_gets_a_lead(station):
    lead = services.capture(station, source="instagram", name="", email=None, phone=None, message="hey").lead
    assert lead.name == "Unknown" and lead.stage == "new"
    assert services.capture(station, source="instagram", name="Other", message="hi").created  # nothing to match on


def test_a_full_slot_becomes_a_slot_full_lead(station):
    request = BookingRequest.model_validate(
        {
            "station": station.slug,
            "customer": {"name": "Dee", "email": "dee@example.com", "phone": "+14045550111"},
            "address": "1 Main Street",
            "zip_code": "30303",
            "event_date": "2027-06-05",
            "slot": "18:00",
            "adults": 12,
            "children": 2,
            "attribution": {"utm_source": "google"},
        }
    )
    lead = services.capture_slot_full(station, request).lead
    assert (lead.source, lead.guests, lead.event_date) == ("slot_full", 14, date(2027, 6, 5))
    assert "18:00" in lead.message and lead.first_touch["utm_source"] == "google"
