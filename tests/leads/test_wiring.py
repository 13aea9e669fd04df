"""Leads wired into the inbox, the public booking API and the staff booking form.

Collected once the snippets of the leads work are applied (rename wiring_checks.py to
test_wiring.py): inbound strangers become leads through capture(), a reply is the
lead's first response, a full slot leaves a slot_full lead, "Convert to booking" wins it.
"""

from __future__ import annotations

from sqlalchemy import select

from app.conversations.inbound import Inbound, receive
from app.conversations.outbound import queue_reply
from app.extensions import db
from app.models.booking import Booking
from app.models.lead import Lead, Task
from app.models.station import Station
from app.models.user import User
from tests.api.conftest import API, add_chef, booking_body
from tests.leads.factories import first_response_task, make_lead


def test_an_inbound_stranger_becomes_a_scored_lead_with_its_task_and_a_reply_answers_it(app, world):
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        message, _ = receive(
            station, Inbound("sms", "+14045550188", "Price for 12?", provider_id="SMw1", phone="+14045550188")
        )
        lead = db.session.get(Lead, message.conversation.lead_id)
        assert lead.source == "sms" and lead.score > 0 and first_response_task(lead).done_at is None
        again, _ = receive(
            station, Inbound("sms", "+14045550188", "Saturday?", provider_id="SMw2", phone="+14045550188")
        )
        assert again.conversation.lead_id == lead.id and "Saturday?" not in lead.message  # same conversation: no touch
        queue_reply(message.conversation, "Hi! $660 for 12.", user=db.session.get(User, world.users["manager"].id))
        assert lead.stage == "contacted" and lead.first_response_at is not None
        assert first_response_task(lead).done_at is not None


def test_a_full_slot_answers_409_and_keeps_the_party_as_a_lead(app, client, world, dbq):
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    assert client.post(f"{API}/bookings", json=booking_body()).status_code == 201
    other = {"name": "Late Larry", "email": "larry@example.com", "phone": "(404) 555-0143"}
    response = client.post(f"{API}/bookings", json=booking_body(customer=other))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "slot_full"
    lead = dbq.scalar(select(Lead).where(Lead.source == "slot_full"))
    assert lead.email == "larry@example.com" and lead.guests == 12
    assert dbq.count(Task, Task.lead_id == lead.id) == 1


def test_convert_to_booking_links_the_lead_and_wins_it(app, world, as_role, dbq):
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        lead = make_lead(
            world.station.id, name="Convert Cora", phone="+14045550144", attribution={"utm_source": "flyer"}
        )
        db.session.commit()
        lead_id = lead.id
    body = booking_body()
    form = {
        "name": "Convert Cora",
        "email": lead.email,
        "phone": "+14045550144",
        "address": body["address"],
        "zip_code": "30303",
        "event_date": body["event_date"],
        "slot": "18:00",
        "adults": "12",
        "source": "lead",
        "lead_id": str(lead_id),
    }
    response = as_role("staff").post_form("/s/alpha/bookings/new", form)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    won = dbq.get(Lead, lead_id)
    booking = dbq.get(Booking, won.booking_id)
    assert won.stage == "won" and booking.lead_id == lead_id and booking.attribution["utm_source"] == "flyer"
    # Each page links to the other: the booking names its lead, the lead opens its booking.
    booking_page = as_role("staff").get(f"/s/alpha/bookings/{booking.id}").get_data(as_text=True)
    assert f'href="/s/alpha/leads/{lead_id}"' in booking_page and f"From lead #{lead_id}" in booking_page
    lead_page = as_role("staff").get(f"/s/alpha/leads/{lead_id}").get_data(as_text=True)
    assert f'href="/s/alpha/bookings/{booking.id}"' in lead_page


def test_done_when_a_qr_lead_flows_to_a_won_booking_with_its_attribution(app, client, world, dbq):
    from app.models.qr import QrCode
    from tests.api.test_leads import lead_body

    with app.app_context():
        add_chef(world.station.id, "Kenji")
        qr = QrCode(station_id=world.station.id, code="flyer7a", name="Flyer", target_url="https://example.com/")
        db.session.add(qr)
        db.session.commit()
        qr_id = qr.id
    attribution = {"qr_code": "flyer7a", "utm_source": "flyer", "utm_medium": "qr"}
    assert (
        client.post(f"{API}/leads", json=lead_body(email="quinn@example.com", attribution=attribution)).status_code
        == 201
    )
    customer = {"name": "Quinn", "email": "quinn@example.com", "phone": "(404) 555-0145"}
    assert client.post(f"{API}/bookings", json=booking_body(customer=customer)).status_code == 201
    lead = dbq.scalar(select(Lead))
    booking = dbq.get(Booking, lead.booking_id)
    assert (lead.stage, lead.qr_code_id, lead.first_touch["utm_source"]) == ("won", qr_id, "flyer")
    assert (booking.lead_id, booking.qr_code_id) == (lead.id, qr_id)
