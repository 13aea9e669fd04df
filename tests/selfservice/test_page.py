"""The manage page /b/<token>: what the customer sees and does, and who hears of it."""

from __future__ import annotations

import icalendar
from sqlalchemy import select

from app.bookings import lifecycle
from app.extensions import db
from app.models.booking import Booking, BookingEvent
from app.models.outbox import Notification
from app.selfservice import rules
from tests.bookings.conftest import future_day


def test_the_page_shows_the_booking_and_its_policies_and_is_never_cached(client, party):
    page = client.get(f"/b/{party.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for text in ("Alpha", "10 Peachtree St, 30303", "12 in all", "Not assigned yet", "(America/New_York)"):
        assert text in html
    assert "refunded when you cancel 7 or more days" in html and "until 24 hours before the party" in html
    assert "Balance due by" in html and 'class="slot-picker"' in html


def test_a_wrong_or_malformed_token_is_a_plain_404(client, party):
    for token in ("x" * 32, party.public_token, "short", "a/b"):
        assert client.get(f"/b/{token}").status_code == 404
    assert client.post_form(f"/b/{'x' * 32}/cancel").status_code == 404


def test_rescheduling_on_the_page_moves_it_tells_everyone_and_counts(app, client, party, dbq):
    target = f"{future_day(22).isoformat()}|12:00"
    done = client.post_form(f"/b/{party.token}/reschedule", {"choice": target})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/b/{party.token}")
    booking = dbq.get(Booking, party.id)
    assert (booking.event_date, booking.slot_time, booking.reschedule_count) == (future_day(22), "12:00", 1)
    kinds = {(n.kind, n.channel) for n in dbq.scalars(select(Notification).where(Notification.booking_id == party.id))}
    assert ("booking_rescheduled", "email") in kinds  # the customer's confirmation
    assert ("customer_change", "email") in kinds  # the station's manager
    # The double submit: the same form again is refused with the rule, nothing moves twice.
    again = client.post_form(f"/b/{party.token}/reschedule", {"choice": f"{future_day(23).isoformat()}|12:00"})
    assert again.status_code == 409 and "free reschedule is used up" in again.get_data(as_text=True)
    assert dbq.get(Booking, party.id).event_date == future_day(22)
    page = client.get(f"/b/{party.token}").get_data(as_text=True)
    assert 'data-rule="free_reschedules_used"' in page


def test_a_bad_choice_comes_back_with_its_message(client, party):
    refused = client.post_form(f"/b/{party.token}/reschedule", {"choice": "soon|ish"})
    assert refused.status_code == 422 and "Choose a new date and slot." in refused.get_data(as_text=True)


def test_guests_are_repriced_and_the_confirmation_goes_out(client, party, dbq):
    done = client.post_form(f"/b/{party.token}/guests", {"adults": "12", "children": "2"})
    assert done.status_code == 303
    booking = dbq.get(Booking, party.id)
    assert booking.adults == 12 and booking.total_cents == party.total_cents + 2 * 5500
    notes = dbq.scalars(select(Notification).where(Notification.kind == "booking_guests_changed"))
    assert notes and f"/b/{party.token}" in notes[0].body_text  # the manage link is in it
    bad = client.post_form(f"/b/{party.token}/guests", {"adults": "0"})
    assert bad.status_code == 422 and "Enter 1 or more." in bad.get_data(as_text=True)


def test_cancel_shows_the_refund_first_then_cancels(client, party, dbq):
    confirm = client.get(f"/b/{party.token}?confirm=cancel").get_data(as_text=True)
    assert "will be refunded" in confirm and "Yes, cancel my party" in confirm
    done = client.post_form(f"/b/{party.token}/cancel", {"reason": "Moving"})
    assert done.status_code == 303
    assert dbq.get(Booking, party.id).status == "cancelled"
    timeline = dbq.scalars(select(BookingEvent).where(BookingEvent.booking_id == party.id))
    assert {e.actor_label for e in timeline if e.kind == "cancelled"} == {"customer (manage page)"}
    again = client.post_form(f"/b/{party.token}/cancel")
    assert again.status_code == 409


def test_message_the_station_and_the_calendar_file(client, party):
    sent = client.post_form(f"/b/{party.token}/message", {"body": "Is parking OK on the street?"})
    assert sent.status_code == 303
    ics = client.get(f"/b/{party.token}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    event = next(iter(icalendar.Calendar.from_ical(ics.data).walk("VEVENT")))
    assert event.decoded("dtstart") == party.starts_at
    assert str(event["status"]) == "CONFIRMED" and str(event["uid"]).startswith(f"booking-{party.id}@")


def test_a_reissued_link_stops_the_old_one(app, client, party):
    with app.test_request_context():
        booking = db.session.get(Booking, party.id)
        new = lifecycle.reissue_manage_token(booking, rules.customer("test"))
        db.session.commit()
    assert client.get(f"/b/{party.token}").status_code == 404
    assert client.post_form(f"/b/{party.token}/cancel").status_code == 404
    assert client.get(f"/b/{new}").status_code == 200


def test_staff_reissue_the_link_from_the_booking_page(as_role, party, client, dbq):
    staff = as_role("staff")
    panel = staff.get(f"/s/alpha/bookings/{party.id}").get_data(as_text=True)
    assert f"/b/{party.token}" in panel
    assert staff.post_form(f"/s/alpha/bookings/{party.id}/manage-link").status_code == 303
    new = dbq.get(Booking, party.id).manage_token
    assert new != party.token and client.get(f"/b/{party.token}").status_code == 404
    assert client.get(f"/b/{new}").status_code == 200
    assert as_role("other_manager").post_form(f"/s/alpha/bookings/{party.id}/manage-link").status_code == 404


def test_a_booking_awaiting_its_deposit_says_how_to_pay_it(app, client, station):
    from tests.selfservice.conftest import make_party

    with app.test_request_context():
        pending = make_party(db.session.merge(station), days=30, confirmed=False)
        db.session.commit()
    html = client.get(f"/b/{pending.token}").get_data(as_text=True)
    assert "deposit is due by" in html and "Pay it by hand (cash, Venmo, Zelle or check)" in html
    assert 'data-rule="deposit_first"' not in html  # the balance is not offered before the deposit


def test_the_page_and_the_picker_cost_a_fixed_number_of_queries(app, client, party, station):
    from sqlalchemy import event

    from tests.selfservice.conftest import make_party

    def statements(url: str) -> int:
        seen: list[str] = []
        engine = db._app_engines[app][None].engine

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    page, picker = statements(f"/b/{party.token}"), statements(f"/b/{party.token}/slots")
    with app.test_request_context():
        for n in range(6):  # more parties in the week the picker shows
            make_party(db.session.merge(station), days=3 + n % 3, slot=("12:00", "15:00")[n % 2])
        db.session.commit()
    assert statements(f"/b/{party.token}") == page
    assert statements(f"/b/{party.token}/slots") == picker
