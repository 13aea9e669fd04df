"""Capacity, blackouts, time off and station-local times across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from app.availability.services import capacities, slot_start_utc, slots
from app.errors import ValidationFailed
from app.extensions import db
from app.models.chef import Blackout, TimeOff
from tests.bookings.conftest import add_chef, future_day


def test_slot_start_is_local_time_across_dst():
    # 2027-03-14: US clocks spring forward; 2027-11-07: they fall back.
    assert slot_start_utc("America/New_York", date(2027, 3, 13), "18:00") == datetime(2027, 3, 13, 23, tzinfo=UTC)
    assert slot_start_utc("America/New_York", date(2027, 3, 14), "18:00") == datetime(2027, 3, 14, 22, tzinfo=UTC)
    assert slot_start_utc("America/New_York", date(2027, 11, 7), "12:00") == datetime(2027, 11, 7, 17, tzinfo=UTC)
    assert slot_start_utc("America/Phoenix", date(2027, 3, 14), "18:00") == datetime(2027, 3, 15, 1, tzinfo=UTC)


def test_a_local_time_in_the_dst_gap_is_refused():
    with pytest.raises(ValidationFailed, match="does not exist"):
        slot_start_utc("America/New_York", date(2027, 3, 14), "02:30")


def test_capacity_counts_chefs_whose_window_covers_the_event(app, world):
    with app.test_request_context():
        station = db.session.merge(world.station)
        add_chef(station, "All day")
        add_chef(station, "Evenings", starts=time(17, 0), ends=time(23, 59))
        add_chef(station, "Lunch only", starts=time(11, 0), ends=time(14, 0))  # 12:00 + 2h30 > 14:00
        day = future_day()
        caps = capacities(station, day, day)
        assert caps[(day, "12:00")] == 1
        assert caps[(day, "18:00")] == 2
        assert caps[(day, "21:00")] == 2  # ends 23:30, inside both evening windows


def test_time_off_only_when_approved_and_blackouts_close_the_day(app, world):
    with app.test_request_context():
        station = db.session.merge(world.station)
        chef = add_chef(station, "Kenji")
        day = future_day()
        db.session.add(TimeOff(station_id=station.id, chef_id=chef.id, first_day=day, last_day=day, status="requested"))
        db.session.flush()
        assert capacities(station, day, day)[(day, "18:00")] == 1
        db.session.query(TimeOff).update({"status": "approved"})
        assert capacities(station, day, day)[(day, "18:00")] == 0
        other = future_day(15)
        db.session.add(Blackout(station_id=station.id, day=other, reason="holiday"))
        add_chef(station, "Hana")
        assert capacities(station, other, other)[(other, "18:00")] == 0


def test_slots_say_why_they_cannot_be_booked(app, world):
    with app.test_request_context():
        station = db.session.merge(world.station)
        add_chef(station, "Kenji")
        today = future_day(0)
        infos = slots(station, today, future_day(3))
        assert any(s.reason == "too soon" for s in infos)
        later = [s for s in infos if s.day == future_day(3) and s.slot_time == "18:00"]
        assert later and later[0].bookable and later[0].remaining == 1
        with pytest.raises(ValidationFailed):
            slots(station, future_day(5), future_day(1))
