"""A booking is filed under the right person, and its messages go to the contact it gave.

The email is the identity when given; a phone alone proves less (households share one).
Bookings go through the public API, messages through the real SMTP client to a local
aiosmtpd server and the real Twilio SDK to a local fake, as in production.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.customers.services import find_match, match_or_create
from app.extensions import db
from app.models.booking import Booking
from app.models.customer import Customer
from app.models.station import Station
from tests.api.conftest import API, booking_body
from tests.notifications.conftest import kitchen, smtp, smtp_server, twilio  # noqa: F401
from tests.support import dbq_fixture, make_app_fixture, session_as_role  # noqa: F401

ANA = {"name": "Ana Lopez", "email": "ana@example.com", "phone": "(404) 555-0142"}


@pytest.fixture
def messaging(app, kitchen, smtp, twilio, monkeypatch):  # noqa: F811
    """Jobs run inline after each request: the confirmation goes out before the response returns."""
    monkeypatch.setitem(app.config, "RAISE_INLINE_JOB_ERRORS", True)
    return smtp, twilio


def book(client, customer: dict, slot: str = "18:00", days: int = 14):
    from tests.api.conftest import future_day

    response = client.post(
        f"{API}/bookings", json=booking_body(customer=customer, slot=slot, event_date=future_day(days).isoformat())
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["reference"]


def booking_of(dbq, reference: str) -> Booking:
    return dbq.scalar(select(Booking).where(Booking.reference == reference))


def customers(dbq) -> list[Customer]:
    return dbq.scalars(select(Customer).order_by(Customer.id))


def emails_to(smtp_sink, reference: str) -> list[str]:
    """Where the customer's confirmation of `reference` went (not the managers' "New booking")."""
    return [m["To"] for m in smtp_sink.messages if (m["Subject"] or "").startswith(f"Booking {reference}")]


def sms_to(fake, reference: str) -> list[str]:
    return [m["To"] for m in fake.sent if reference in m.get("Body", "")]


def test_same_email_is_the_same_customer_and_the_new_phone_gets_the_sms(client, dbq, messaging):
    smtp_sink, sms = messaging
    first = book(client, ANA)
    second = book(client, {"name": "Ana L.", "email": "ANA@example.com", "phone": "(404) 555-0177"}, slot="12:00")
    [ana] = customers(dbq)
    assert booking_of(dbq, first).customer_id == booking_of(dbq, second).customer_id == ana.id
    assert ana.phone == "+14045550142"  # the record keeps the number it had
    assert ana.possible_duplicate_of_id is None
    assert sms_to(sms, second) == ["+14045550177"]  # the number given with this booking
    assert emails_to(smtp_sink, second) == ["ana@example.com"]


def test_same_phone_without_an_email_is_the_same_customer(app, client, dbq, messaging):
    """Bookings always give an email; a text message or a lead may give only the phone."""
    book(client, ANA)
    with app.app_context():
        station_id = db.session.scalar(select(Customer.station_id))
        found = match_or_create(station_id, name="+1 404-555-0142", email=None, phone="(404) 555-0142")
        db.session.commit()
        assert (found.name, found.email) == ("Ana Lopez", "ana@example.com")
    [ana] = customers(dbq)
    assert ana.possible_duplicate_of_id is None


def test_a_customer_first_known_by_a_text_message_books_and_is_the_same_customer(app, client, dbq, messaging):
    """A first SMS creates a customer named after the number; the booking fills in who it is."""
    with app.app_context():
        station_id = db.session.scalar(select(Station.id).where(Station.slug == "alpha"))
        match_or_create(station_id, name="(404) 555-0142", email=None, phone="+14045550142")
        db.session.commit()
    reference = book(client, ANA)
    [ana] = customers(dbq)
    assert (ana.name, ana.email) == ("Ana Lopez", "ana@example.com")
    assert booking_of(dbq, reference).customer_id == ana.id


def test_same_phone_with_another_email_and_name_is_a_new_customer_flagged_for_staff(client, dbq, messaging):
    smtp_sink, _ = messaging
    first = book(client, ANA)
    bob_ref = book(client, {"name": "Bob Stone", "email": "bob@example.com", "phone": "+1 404 555 0142"}, slot="12:00")
    ana, bob = customers(dbq)
    assert (ana.name, ana.email) == ("Ana Lopez", "ana@example.com")  # Ana's record untouched
    assert (bob.name, bob.email, bob.phone) == ("Bob Stone", "bob@example.com", "+14045550142")
    assert bob.possible_duplicate_of_id == ana.id
    assert booking_of(dbq, bob_ref).customer_id == bob.id
    assert booking_of(dbq, first).customer_id == ana.id
    # Bob's confirmation reaches Bob, never Ana.
    assert emails_to(smtp_sink, bob_ref) == ["bob@example.com"]
    assert "ana@example.com" not in emails_to(smtp_sink, bob_ref)


def _on_record(app, **contact) -> int:
    with app.app_context():
        station_id = db.session.scalar(select(Station.id).where(Station.slug == "alpha"))
        customer = match_or_create(station_id, **contact)
        db.session.commit()
        return customer.id


def test_same_phone_and_name_with_a_first_email_fills_in_the_email(app, client, dbq, messaging):
    first_id = _on_record(app, name="Ana Lopez", email=None, phone="(404) 555-0142")  # a phone lead, say
    second = book(client, {"name": "  ana   lopez ", "email": "ana@example.com", "phone": "4045550142"})
    [ana] = customers(dbq)
    assert ana.id == first_id and ana.email == "ana@example.com"
    assert booking_of(dbq, second).customer_id == ana.id


def test_same_phone_another_name_and_no_email_on_record_is_a_new_flagged_customer(app, client, dbq, messaging):
    ana_id = _on_record(app, name="Ana Lopez", email=None, phone="(404) 555-0142")
    book(client, {"name": "Bob Stone", "email": "bob@example.com", "phone": "(404) 555-0142"})
    ana, bob = customers(dbq)
    assert ana.id == ana_id and ana.email is None  # Bob's address never lands on Ana's record
    assert bob.possible_duplicate_of_id == ana.id


@pytest.mark.parametrize(
    "variant",
    [
        {"name": "ANA LOPEZ", "email": " Ana@Example.COM ", "phone": "+1 (404) 555-0142"},
        {"name": "Ana", "email": "ana@EXAMPLE.com", "phone": "404.555.0142"},
        {"name": "Ana Lopez", "email": "ana@example.com", "phone": "1-404-555-0142"},
    ],
)
def test_formatting_variants_are_the_same_customer(client, dbq, messaging, variant):
    book(client, ANA)
    second = book(client, variant, slot="12:00")
    [ana] = customers(dbq)
    assert booking_of(dbq, second).customer_id == ana.id


def test_inbound_contact_with_an_unknown_email_and_a_known_phone_is_not_that_customer(app, client, dbq, messaging):
    book(client, ANA)
    with app.app_context():
        station_id = db.session.scalar(select(Customer.station_id))
        assert find_match(station_id, "bob@example.com", "+14045550142") is None
        assert find_match(station_id, None, "+14045550142").name == "Ana Lopez"
        assert find_match(station_id, "ana@example.com", "+14045550999").name == "Ana Lopez"


# --- what staff see and do ------------------------------------------------------------------


@pytest.fixture
def flagged(client, dbq, messaging):
    book(client, ANA)
    book(client, {"name": "Bob Stone", "email": "bob@example.com", "phone": "(404) 555-0142"}, slot="12:00")
    ana, bob = customers(dbq)
    return ana.id, bob.id


def test_the_flag_shows_on_the_list_and_the_customer_page(as_role, flagged):
    ana_id, bob_id = flagged
    client = as_role("staff")
    listing = client.get("/s/alpha/customers/").get_data(as_text=True)
    bob_row = listing[listing.index("Bob Stone") :].split("</tr>")[0]
    ana_row = listing[listing.index("Ana Lopez") :].split("</tr>")[0]
    assert "possible duplicate" in bob_row and "possible duplicate" not in ana_row
    page = client.get(f"/s/alpha/customers/{bob_id}").get_data(as_text=True)
    assert "Possible duplicate" in page and f"/s/alpha/customers/{ana_id}" in page
    assert "Not the same person" not in page  # staff may look; managers decide


def test_merging_answers_the_question(as_role, dbq, flagged):
    ana_id, bob_id = flagged
    manager = as_role("manager")
    assert manager.post_form(f"/s/alpha/customers/{ana_id}/merge", {"duplicate_id": str(bob_id)}).status_code in (
        302,
        303,
    )
    ana, bob = dbq.get(Customer, ana_id), dbq.get(Customer, bob_id)
    assert bob.merged_into_id == ana_id
    assert ana.possible_duplicate_of_id is None and bob.possible_duplicate_of_id is None
    assert "possible duplicate" not in manager.get("/s/alpha/customers/").get_data(as_text=True)


def test_not_the_same_person_clears_the_flag(as_role, dbq, flagged):
    _, bob_id = flagged
    manager = as_role("manager")
    response = manager.post_form(f"/s/alpha/customers/{bob_id}/not-a-duplicate")
    assert response.status_code in (302, 303)
    assert dbq.get(Customer, bob_id).possible_duplicate_of_id is None
    assert dbq.get(Customer, bob_id).merged_into_id is None
    assert "Possible duplicate" not in manager.get(f"/s/alpha/customers/{bob_id}").get_data(as_text=True)
    assert as_role("staff").post_form(f"/s/alpha/customers/{bob_id}/not-a-duplicate").status_code == 403
