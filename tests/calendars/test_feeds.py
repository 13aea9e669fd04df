"""Calendar feeds, parsed back with icalendar: who sees what, stable UIDs, cancelled then dropped,
secret tokens that their owner regenerates."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import time_machine
from sqlalchemy import select

from app.bookings import lifecycle
from app.bookings.timeline import Actor
from app.calendars import services
from app.extensions import db
from app.models.booking import Booking
from app.models.chef import Chef
from app.models.station import Station
from tests.selfservice.conftest import make_party
from tests.support import dbq_fixture, isolated_world, session_as_role  # noqa: F401


@pytest.fixture
def setup(app, world):
    """Alpha with chef Kenji (linked to the chef user) on a party, another party without a chef."""
    from tests.bookings.conftest import add_chef

    with app.test_request_context():
        station = db.session.merge(world.station)
        kenji = add_chef(station, "Kenji")
        kenji.user_id = world.users["chef"].id
        add_chef(station, "Hana")
        mine = make_party(station, days=10)
        other = make_party(station, days=12)
        booking = db.session.get(Booking, mine.id)
        lifecycle.assign_chef(station, booking, kenji, Actor.system("test"))
        chef_token = services.regenerate(kenji)
        station_token = services.regenerate(station)
        db.session.commit()
        return {"mine": mine, "other": other, "chef": chef_token, "station": station_token, "kenji": kenji.id}


def _events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_the_chef_feed_has_their_party_without_money(client, setup):
    events = _events(client.get(f"/feeds/chef/{setup['chef']}.ics"))
    assert len(events) == 1
    ((uid, event),) = events.items()
    assert uid.startswith(f"booking-{setup['mine'].id}@")
    assert event.decoded("dtstart") == setup["mine"].starts_at  # UTC instant
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    description = str(event["description"])
    assert "Guests: 12" in description and "$" not in description and "Total" not in description
    assert "10 Peachtree St" in str(event["location"]) and str(event["status"]) == "CONFIRMED"


def test_the_station_feed_has_every_party_with_money(client, setup):
    events = _events(client.get(f"/feeds/station/{setup['station']}.ics"))
    assert {uid.split("@")[0] for uid in events} == {f"booking-{setup['mine'].id}", f"booking-{setup['other'].id}"}
    assert all("Total" in str(e["description"]) for e in events.values())


def test_a_moved_party_keeps_its_uid_and_a_cancelled_one_is_cancelled_then_dropped(app, client, setup):
    before = _events(client.get(f"/feeds/station/{setup['station']}.ics"))
    with app.test_request_context():
        station = db.session.scalar(select(Station).where(Station.slug == "alpha"))
        booking = db.session.get(Booking, setup["mine"].id)
        lifecycle.reschedule(
            station, booking, Actor.system("test"), new_date=booking.event_date + timedelta(days=1), new_slot="15:00"
        )
        db.session.commit()
    moved = _events(client.get(f"/feeds/station/{setup['station']}.ics"))
    assert set(moved) == set(before)
    uid = next(u for u in moved if u.startswith(f"booking-{setup['mine'].id}@"))
    assert moved[uid].decoded("dtstart") != before[uid].decoded("dtstart") and int(moved[uid]["sequence"]) == 1
    assert uid in _events(client.get(f"/feeds/chef/{setup['chef']}.ics"))  # moved, the chef (free then) stays on it

    with app.test_request_context():
        station = db.session.scalar(select(Station).where(Station.slug == "alpha"))
        booking = db.session.get(Booking, setup["mine"].id)
        lifecycle.cancel(station, booking, Actor.system("test"), reason="Rain")
        db.session.commit()
    for kind, token in (("station", setup["station"]), ("chef", setup["chef"])):
        cancelled = _events(client.get(f"/feeds/{kind}/{token}.ics"))
        assert str(cancelled[uid]["status"]) == "CANCELLED", kind
    with time_machine.travel(
        setup["mine"].starts_at - timedelta(days=5) + timedelta(days=services.CANCELLED_KEPT_DAYS + 1)
    ):
        assert uid not in _events(client.get(f"/feeds/station/{setup['station']}.ics"))


def test_wrong_tokens_are_404_and_a_regenerated_token_replaces_the_old(as_role, client, setup, dbq):
    assert client.get("/feeds/chef/not-a-real-token-000000.ics").status_code == 404
    assert client.get(f"/feeds/station/{setup['chef']}.ics").status_code == 404  # a chef's token is not a station's
    page = as_role("chef").get("/s/alpha/chefs/me").get_data(as_text=True)
    assert f"/feeds/chef/{setup['chef']}.ics" in page
    assert as_role("chef").post_form("/s/alpha/calendar-feeds/me").status_code == 303
    new = dbq.get(Chef, setup["kenji"]).calendar_token
    assert new != setup["chef"]
    assert client.get(f"/feeds/chef/{setup['chef']}.ics").status_code == 404
    assert client.get(f"/feeds/chef/{new}.ics").status_code == 200
    # The station feed: managers only.
    assert as_role("staff").post_form("/s/alpha/calendar-feeds/station").status_code == 403
    assert as_role("manager").post_form("/s/alpha/calendar-feeds/station").status_code == 303
    assert client.get(f"/feeds/station/{setup['station']}.ics").status_code == 404
    assert "/feeds/station/" in as_role("manager").get("/s/alpha/bookings/calendar").get_data(as_text=True)
