"""POST /leads: quote requests and contact forms become leads with attribution."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models.customer import Customer
from app.models.lead import Lead
from tests.api.conftest import API, assert_error


def lead_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "quote_request",
        "station": "alpha",
        "name": "Grace Hopper",
        "email": "Grace@Example.com",
        "message": "Party of 15 in July?",
        "event_date": "2027-07-04",
        "guests": 15,
        "zip_code": "30303",
        "attribution": {"utm_source": "google", "utm_medium": "cpc", "referrer": "https://www.google.com/"},
    }
    body.update(overrides)
    return body


def _post(client, body):
    return client.post(f"{API}/leads", json=body)


def test_a_quote_request_becomes_a_lead_with_attribution(client, world, dbq):
    response = _post(client, lead_body())
    assert response.status_code == 201
    assert response.get_json()["status"] == "received"
    lead = dbq.scalar(select(Lead))
    assert (lead.station_id, lead.source, lead.stage) == (world.station.id, "quote_request", "new")
    assert (lead.name, lead.email, lead.phone) == ("Grace Hopper", "grace@example.com", None)
    assert (lead.guests, lead.zip_code, lead.event_date.isoformat()) == (15, "30303", "2027-07-04")
    assert lead.first_touch["utm_source"] == "google"
    assert lead.first_touch["referrer"] == "https://www.google.com/"
    assert lead.first_touch == lead.last_touch
    assert lead.customer_id is None


def test_writing_again_updates_the_open_lead_and_keeps_the_first_touch(client, world, dbq):
    assert _post(client, lead_body()).status_code == 201
    second = lead_body(kind="contact_form", message="Also: do you do vegan?", attribution={"utm_source": "newsletter"})
    assert _post(client, second).status_code == 201
    leads = dbq.scalars(select(Lead))
    assert len(leads) == 1
    lead = leads[0]
    assert lead.first_touch["utm_source"] == "google"
    assert lead.last_touch["utm_source"] == "newsletter"
    assert "Party of 15" in lead.message and "vegan" in lead.message


def test_a_contact_form_with_a_phone_only(client, world, dbq):
    body = lead_body(kind="contact_form", email=None, phone="(404) 555-0177", attribution={})
    assert _post(client, body).status_code == 201
    lead = dbq.scalar(select(Lead))
    assert (lead.source, lead.phone, lead.email) == ("contact_form", "+14045550177", None)


def test_a_known_customer_is_linked(app, client, world, dbq):
    with app.app_context():
        db.session.add(Customer(station_id=world.station.id, name="Grace", email="grace@example.com"))
        db.session.commit()
    assert _post(client, lead_body()).status_code == 201
    assert dbq.scalar(select(Lead)).customer_id is not None


def test_without_a_station_the_nearest_to_the_zip_gets_the_lead(client, world, dbq):
    assert _post(client, lead_body(station=None, zip_code="75204")).status_code == 201  # Dallas
    assert dbq.scalar(select(Lead)).station_id == world.other.id


def test_bad_leads_are_refused(client, world, dbq):
    error = assert_error(_post(client, lead_body(email=None, phone=None)), 422, "validation_failed")
    assert "body" in error["fields"] or error["fields"]
    error = assert_error(_post(client, lead_body(email="nope", guests=0, kind="spam")), 422)
    assert {"email", "guests", "kind"} <= set(error["fields"])
    error = assert_error(_post(client, lead_body(station=None, zip_code="٧٥٢٠٤")), 422)
    assert "zip_code" in error["fields"]
    error = assert_error(_post(client, lead_body(name="")), 422)
    assert "name" in error["fields"]
    assert_error(_post(client, lead_body(station="atlantis")), 404, "station_not_found")
    assert_error(client.post(f"{API}/leads", data="nope", content_type="application/json"), 400, "malformed_json")
    assert dbq.count(Lead) == 0
