"""Booking staff pages, with and without HTMX, and their permissions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.bookings import lifecycle
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from app.models.booking import Booking, BookingEvent
from app.models.payment import Payment
from tests.bookings.conftest import booking_request, future_day
from tests.support import dbq_fixture  # noqa: F401


@pytest.fixture
def booking_id(app, kitchen):
    with app.test_request_context():
        station, _ = kitchen
        booking = create_booking(db.session.merge(station), booking_request(), actor=Actor.customer(), source="api")
        db.session.commit()
        return booking.id


def test_list_search_filters_and_htmx_fragment(as_role, booking_id):
    client = as_role("staff")
    page = client.get("/s/alpha/bookings/?q=ada")
    assert page.status_code == 200 and b"Ada Lovelace" in page.data and b"<html" in page.data
    fragment = client.get("/s/alpha/bookings/?q=ada", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.data and b"Ada Lovelace" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]
    # A phone typed another way still finds the customer; a filter that excludes shows the empty state
    assert b"Ada Lovelace" in client.get("/s/alpha/bookings/?q=404-555-0142").data
    assert b"No bookings match" in client.get("/s/alpha/bookings/?status=completed").data
    assert b"Ada Lovelace" in client.get(f"/s/alpha/bookings/?from={future_day().isoformat()}&sort=-total").data


def test_list_query_count_does_not_grow_with_rows(app, as_role, kitchen):
    from sqlalchemy import event

    client = as_role("manager")
    station, _ = kitchen

    def count_for_list() -> int:
        statements: list[str] = []

        def _count(conn, cursor, statement, *args):
            statements.append(statement)

        engine = db._app_engines[app][None].engine
        event.listen(engine, "before_cursor_execute", _count)
        try:
            assert client.get("/s/alpha/bookings/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        return len(statements)

    with app.test_request_context():
        s = db.session.merge(station)
        create_booking(s, booking_request(), actor=Actor.customer(), source="api")
        db.session.commit()
    few = count_for_list()
    with app.test_request_context():
        s = db.session.merge(station)
        for n in range(6):
            create_booking(
                s,
                booking_request(
                    event_date=future_day(20 + n).isoformat(),
                    customer={"name": f"C{n}", "email": f"c{n}@x.com", "phone": f"40455501{n:02d}"},
                ),
                actor=Actor.customer(),
                source="api",
            )
        db.session.commit()
    assert count_for_list() == few


def test_calendar_week_and_month(as_role, booking_id):
    client = as_role("staff")
    week = client.get(f"/s/alpha/bookings/calendar?date={future_day().isoformat()}")
    assert week.status_code == 200
    assert b"Ada Lovelace" in week.data and b"1/2" in week.data  # booked / capacity
    month = client.get(
        f"/s/alpha/bookings/calendar?view=month&date={future_day().isoformat()}", headers={"HX-Request": "true"}
    )
    assert month.status_code == 200 and b"<html" not in month.data
    assert client.get("/s/alpha/bookings/calendar?date=not-a-date").status_code == 200


def test_booking_page_and_actions_without_js(app, as_role, booking_id):
    client = as_role("manager")
    page = client.get(f"/s/alpha/bookings/{booking_id}")
    assert page.status_code == 200 and b"$610.00" in page.data
    response = client.post_form(
        f"/s/alpha/bookings/{booking_id}/payments", {"amount": "100", "method": "zelle", "kind": "deposit"}
    )
    assert response.status_code == 303
    response = client.post_form(f"/s/alpha/bookings/{booking_id}/notes", {"note": "Gate 42"})
    assert response.status_code == 303
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == "confirmed" and booking.paid_cents == 10000
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
        kinds = db.session.scalars(select(BookingEvent.kind).where(BookingEvent.booking_id == booking_id)).all()
        assert {"payment_recorded", "confirmed", "note"} <= set(kinds)


def test_a_refused_action_answers_the_panel_with_its_message_and_exactly_one_toast(as_role, booking_id):
    """htmx swaps the 422 panel (static/app.js); the one toast comes from HX-Trigger, none from app.js."""
    response = as_role("manager").htmx("post", f"/s/alpha/bookings/{booking_id}/cancel", data={"reason": " "})
    assert response.status_code == 422
    assert 'role="alert">Say why the booking is cancelled.' in response.get_data(as_text=True)
    assert json.loads(response.headers["HX-Trigger"]) == {
        "toast": {"message": "Say why the booking is cancelled.", "level": "error"}
    }


def test_actions_with_htmx_return_the_panel_and_a_toast(app, as_role, booking_id, kitchen):
    client = as_role("staff")
    _, (kenji, _) = kitchen
    response = client.htmx("post", f"/s/alpha/bookings/{booking_id}/chef", data={"chef_id": kenji.id})
    assert response.status_code == 200 and b"<html" not in response.data
    assert "toast" in response.headers["HX-Trigger"]
    refused = client.htmx("post", f"/s/alpha/bookings/{booking_id}/complete")
    assert refused.status_code == 409 and "once the event has started" in refused.headers["HX-Trigger"]
    cancelled = client.htmx("post", f"/s/alpha/bookings/{booking_id}/cancel", data={"reason": "Rain"})
    assert cancelled.status_code == 200
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == "cancelled" and booking.chef_id is None and booking.refund_eligible


def test_reschedule_page_lists_only_slots_with_room(app, as_role, booking_id):
    client = as_role("manager")
    page = client.get(f"/s/alpha/bookings/{booking_id}/reschedule?from={future_day(20).isoformat()}")
    assert page.status_code == 200
    target = future_day(22)
    response = client.post_form(f"/s/alpha/bookings/{booking_id}/reschedule", {"choice": f"{target.isoformat()}|15:00"})
    assert response.status_code == 303
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert (booking.event_date, booking.slot_time) == (target, "15:00")
    bad = client.post_form(f"/s/alpha/bookings/{booking_id}/reschedule", {"choice": "tomorrow|99"})
    assert bad.status_code == 303  # refused with a flash, nothing moved
    with app.app_context():
        assert db.session.get(Booking, booking_id).event_date == target


def test_new_booking_form_creates_and_reports_errors(app, as_role, kitchen):
    client = as_role("staff")
    assert client.get("/s/alpha/bookings/new").status_code == 200
    quote = client.get("/s/alpha/bookings/quote?adults=10&children=2&zip_code=30303")
    assert b"$610.00" in quote.data
    bad = client.post_form("/s/alpha/bookings/new", {"name": "", "adults": "0"})
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    form = {
        "name": "Grace Hopper",
        "phone": "404 555 0177",
        "email": "grace@example.com",
        "event_date": future_day(10).isoformat(),
        "slot": "15:00",
        "address": "1 Navy Way",
        "zip_code": "30303",
        "adults": "12",
        "children": "0",
        "toddlers": "1",
        "upgrade_lobster_tail": "2",
        "proteins": ["Chicken", "Shrimp"],
        "consent_sms": "1",
        "source": "phone",
    }
    created = client.post_form("/s/alpha/bookings/new", form)
    assert created.status_code == 303
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.total_cents == 12 * 5500 + 2 * 1500
        assert booking.source == "phone" and booking.customer.sms_consent


def test_permissions_on_booking_pages(as_role, booking_id):
    chef = as_role("chef")
    assert chef.get("/s/alpha/bookings/").status_code == 403
    assert chef.post_form(f"/s/alpha/bookings/{booking_id}/confirm").status_code == 403
    other = as_role("owner")
    assert other.get(f"/s/beta/bookings/{booking_id}").status_code == 404  # alpha's booking under beta


def test_completed_only_after_start(app, kitchen):
    with app.test_request_context():
        station, _ = kitchen
        station = db.session.merge(station)
        booking = create_booking(station, booking_request(), actor=Actor.customer(), source="api")
        lifecycle.confirm(booking, Actor(None, "t"))
        lifecycle.complete(booking, Actor(None, "t"), now=booking.starts_at + timedelta(minutes=1))
        assert booking.status == "completed"


def _phone_booking(**overrides) -> dict:
    form = {
        "name": "Nia Okafor",
        "phone": "404 555 0199",
        "email": "nia@example.com",
        "event_date": future_day(12).isoformat(),
        "slot": "15:00",
        "address": "5 Spring St",
        "zip_code": "30303",
        "adults": "10",
        "source": "phone",
    }
    return form | overrides


def test_the_staff_form_books_through_the_api_s_use_case(app, as_role, kitchen, dbq):
    """The same create_booking as POST /api/v1/bookings: the caller's open lead is won by it."""
    from app.models.lead import Lead
    from tests.leads.factories import make_lead

    with app.test_request_context():
        lead_id = make_lead(kitchen[0].id, email="nia@example.com").id
        db.session.commit()
    created = as_role("staff").post_form("/s/alpha/bookings/new", _phone_booking())
    assert created.status_code == 303
    booking = dbq.scalar(select(Booking))
    lead = dbq.get(Lead, lead_id)
    assert (lead.stage, lead.booking_id, booking.lead_id) == ("won", booking.id, lead_id)


@pytest.mark.parametrize(
    ("day", "message"),
    [("9999-12-31", "Bookings open 365 days ahead."), ("2001-01-01", "Book at least 48 hours ahead.")],
)
def test_the_staff_form_refuses_dates_outside_the_window_before_any_date_maths(as_role, kitchen, dbq, day, message):
    response = as_role("staff").post_form("/s/alpha/bookings/new", _phone_booking(event_date=day))
    assert response.status_code == 422  # the message is beside the date input, not a 500
    assert message in response.get_data(as_text=True) and 'class="slot-picker"' in response.get_data(as_text=True)
    assert dbq.count(Booking) == 0


def test_the_timeline_is_written_for_people(as_role, booking_id):
    client = as_role("manager")
    client.post_form(
        f"/s/alpha/bookings/{booking_id}/payments", {"amount": "100", "method": "zelle", "kind": "deposit"}
    )
    html = client.get(f"/s/alpha/bookings/{booking_id}").get_data(as_text=True)
    timeline = html[html.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]

    assert "Deposit paid: $100.00 (Zelle)" in timeline
    assert "Paid so far: $100.00" in timeline
    assert "Status: Pending deposit → Confirmed" in timeline
    assert "Total: $610.00" in timeline and "Booked through the website" in timeline
    assert "paid_cents" not in timeline and "total_cents" not in timeline and "10000" not in timeline
