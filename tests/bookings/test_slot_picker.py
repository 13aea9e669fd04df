"""The slot picker: per day, each slot's remaining capacity from the availability service."""

from __future__ import annotations

import re

from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from app.models.booking import Booking
from tests.bookings.conftest import booking_request, future_day
from tests.support import dbq_fixture  # noqa: F401


def _slot_notes(html: str) -> dict[str, str]:
    """radio value -> the note beside it ("2 left", "full", "current"...)."""
    pattern = r'value="([0-9-]+\|[0-9:]+)"[^>]*>\s*<span class="slot-time">[^<]*</span> <small>([^<]*)</small>'
    return dict(re.findall(pattern, html))


def _book(app, station, day, slot):
    with app.test_request_context():
        booking = create_booking(
            db.session.merge(station),
            booking_request(event_date=day.isoformat(), slot=slot),
            actor=Actor.customer(),
            source="api",
        )
        db.session.commit()
        return booking.id


def test_the_fragment_shows_each_days_slots_with_what_is_left(app, as_role, kitchen):
    station, _ = kitchen
    day = future_day(10)
    _book(app, station, day, "18:00")
    _book(app, station, day, "18:00")
    _book(app, station, day, "15:00")
    fragment = as_role("staff").get(f"/s/alpha/bookings/slots?from={day.isoformat()}")
    assert fragment.status_code == 200 and b"<html" not in fragment.data
    notes = _slot_notes(fragment.get_data(as_text=True))
    assert notes[f"{day.isoformat()}|18:00"] == "full"
    assert notes[f"{day.isoformat()}|15:00"] == "1 left"
    assert notes[f"{day.isoformat()}|12:00"] == "2 left"
    assert len({value.split("|")[0] for value in notes}) == 7  # a week of days
    html = fragment.get_data(as_text=True)
    assert re.search(rf'value="{day.isoformat()}\|18:00" disabled', html)  # a full slot cannot be picked


def test_the_fragment_never_starts_in_the_past_and_pages_by_week(as_role, kitchen):
    html = as_role("staff").get("/s/alpha/bookings/slots?from=2001-01-01").get_data(as_text=True)
    assert "Earlier days" not in html  # it starts today: nothing earlier to show
    later = re.search(r'hx-get="([^"]+)"[^>]*aria-label="Later days"', html).group(1).replace("&amp;", "&")
    assert f"from={future_day(7).isoformat()}" in later
    next_week = as_role("staff").get(later).get_data(as_text=True)
    assert "Earlier days" in next_week and f"{future_day(7).isoformat()}|12:00" in next_week
    # Nonsense is today, not an error; a date past the calendar is clamped to the horizon.
    assert as_role("staff").get("/s/alpha/bookings/slots?from=soon").status_code == 200
    assert as_role("staff").get("/s/alpha/bookings/slots?from=9999-12-31").status_code == 200


def test_reschedule_shows_the_current_slot_and_moves_to_a_picked_one(app, as_role, kitchen, dbq):
    station, _ = kitchen
    booking_id = _book(app, station, future_day(14), "18:00")
    page = as_role("manager").get(f"/s/alpha/bookings/{booking_id}/reschedule?from={future_day(14).isoformat()}")
    notes = _slot_notes(page.get_data(as_text=True))
    assert notes[f"{future_day(14).isoformat()}|18:00"] == "current"
    moved = as_role("manager").post_form(
        f"/s/alpha/bookings/{booking_id}/reschedule", {"choice": f"{future_day(15).isoformat()}|12:00"}
    )
    assert moved.status_code == 303
    booking = dbq.get(Booking, booking_id)
    assert (booking.event_date, booking.slot_time) == (future_day(15), "12:00")


def test_the_new_booking_form_books_the_picked_slot(as_role, kitchen, dbq):
    form = {
        "name": "Nia Long",
        "phone": "(404) 555-0199",
        "email": "nia@example.com",
        "address": "5 Elm St NW",
        "zip_code": "30303",
        "adults": "10",
        "choice": f"{future_day(12).isoformat()}|15:00",
    }
    assert as_role("staff").post_form("/s/alpha/bookings/new", form).status_code == 303
    booking = dbq.scalar(db.select(Booking))
    assert (booking.event_date, booking.slot_time) == (future_day(12), "15:00")


def test_other_stations_cannot_read_the_picker(as_role, kitchen):
    assert as_role("other_manager").get("/s/alpha/bookings/slots").status_code == 404
    assert as_role("staff").get("/s/alpha/bookings/slots?booking=999999").status_code == 404
