"""The one filter for times: station-local, with the zone whenever a time of day shows."""

from __future__ import annotations

from datetime import UTC, datetime

from app.web.formatting import local_time

WINTER = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 23, 30, tzinfo=UTC)


def test_a_time_of_day_carries_the_zone_of_its_station():
    assert local_time(WINTER, tz="America/New_York") == "Thu 15 Jan 2026, 18:30 EST"
    assert local_time(SUMMER, tz="America/New_York") == "Wed 15 Jul 2026, 19:30 EDT"
    assert local_time(SUMMER, "%H:%M", tz="America/Phoenix") == "16:30 MST"  # no DST in Arizona
    assert local_time(WINTER, "%d %b %H:%M", tz="America/Chicago") == "15 Jan 17:30 CST"


def test_a_date_alone_has_no_zone_and_an_explicit_zone_is_not_repeated():
    assert local_time(WINTER, "%d %b %Y", tz="America/New_York") == "15 Jan 2026"
    assert local_time(WINTER, "%H:%M %Z", tz="America/New_York") == "18:30 EST"


def test_outside_a_station_times_are_utc_and_say_so(app):
    with app.test_request_context("/"):
        assert local_time(WINTER, "%H:%M") == "23:30 UTC"
    assert local_time(None) == "—"
