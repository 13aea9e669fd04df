"""Consent (transactional vs marketing), STOP, and quiet hours in the station's time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.customers import services as customers
from app.delivery import engine
from app.extensions import db
from app.models.station import Station
from app.notifications import jobs
from app.notifications.policy import quiet_hours_end
from tests.notifications.helpers import (
    CONSENT_BOTH,
    STAFF,
    book,
    booking,
    change,
    complete_at,
    confirm,
    rows,
    station,
)


def _sms(booking_id: int, kind: str):
    (row,) = rows(booking_id, kind=kind, channel="sms")
    return row


def _say(booking_id: int, keyword: str) -> None:
    """What the inbound SMS keyword handler records for STOP / START."""
    customer = booking(booking_id).customer
    customers.record_consent(
        customer,
        channel="sms",
        granted=keyword == "START",
        text=keyword,
        source=f"sms.{keyword.lower()}",
        ip_address=None,
        purpose="transactional",
    )
    db.session.commit()


def test_stop_skips_every_sms_until_start(svc):
    booking_id = book(svc)
    assert _sms(booking_id, "booking_received").status == "recorded"
    _say(booking_id, "STOP")
    confirm(booking_id)
    assert _sms(booking_id, "booking_confirmed").status == "suppressed"
    assert _sms(booking_id, "booking_confirmed").reason == "customer replied STOP"
    assert rows(booking_id, kind="booking_confirmed", channel="email")[0].status == "recorded"

    # A later marketing opt-out does not lift the STOP; START does.
    customers.record_consent(
        booking(booking_id).customer, channel="sms", granted=False, text="no offers", source="staff", ip_address=None
    )
    db.session.commit()
    from app.bookings import lifecycle

    change(booking_id, lambda b: lifecycle.reschedule(station(svc), b, STAFF, new_date=b.event_date, new_slot="12:00"))
    assert _sms(booking_id, "booking_rescheduled").status == "suppressed"

    _say(booking_id, "START")
    change(
        booking_id,
        lambda b: lifecycle.reschedule(
            station(svc), b, STAFF, new_date=b.event_date + timedelta(days=1), new_slot="12:00"
        ),
    )
    assert [n.status for n in rows(booking_id, kind="booking_rescheduled", channel="sms")] == ["suppressed", "recorded"]


def test_transactional_messages_need_no_marketing_consent(svc):
    booking_id = book(svc)  # no consent ticked
    customer = booking(booking_id).customer
    assert (customer.email_consent, customer.sms_consent) == (False, False)
    assert {n.status for n in rows(booking_id, kind="booking_received")} == {"recorded"}


def test_marketing_needs_consent_on_each_channel(svc):
    booking_id = book(svc, consent={"email": True, "email_text": "Email me."})
    done = booking(booking_id).starts_at + timedelta(hours=3)
    complete_at(booking_id, done)
    with time_machine.travel(done + timedelta(hours=30), tick=False):
        jobs.review_requests()
    request = {n.channel: n for n in rows(booking_id, kind="review_request")}
    assert request["email"].status == "recorded" and request["email"].purpose == "marketing"
    assert (request["sms"].status, request["sms"].reason) == ("suppressed", "no SMS marketing consent")


def test_missing_phone_is_a_visible_skip(svc):
    booking_id = book(svc)
    row = booking(booking_id)
    row.customer.phone = None
    row.contact_phone = None  # nor one given with the booking
    db.session.commit()
    confirm(booking_id)
    assert (_sms(booking_id, "booking_confirmed").status, _sms(booking_id, "booking_confirmed").reason) == (
        "suppressed",
        "no phone number",
    )


# -- quiet hours ----------------------------------------------------------------------------


def _at(local: str, tz: str = "America/New_York") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize(
    ("now_local", "ends_local"),
    [
        ("2027-06-01 21:00", "2027-06-02 08:00"),
        ("2027-06-01 23:59", "2027-06-02 08:00"),
        ("2027-06-02 00:30", "2027-06-02 08:00"),
        ("2027-06-02 07:59", "2027-06-02 08:00"),
        ("2027-06-02 08:00", None),
        ("2027-06-01 20:59", None),
        ("2027-06-01 12:00", None),
        # The night the clocks go forward: 8:00 EDT is only 10 hours after 21:00 EST.
        ("2027-03-13 22:00", "2027-03-14 08:00"),
    ],
)
def test_quiet_hours_cross_midnight_in_station_time(now_local, ends_local):
    station = Station(timezone="America/New_York", settings_overrides={})
    expected = _at(ends_local) if ends_local else None
    assert quiet_hours_end(station, _at(now_local)) == expected


def test_quiet_hours_within_one_day_and_switched_off():
    night = Station(
        timezone="America/Chicago", settings_overrides={"quiet_hours_start": "00:00", "quiet_hours_end": "07:00"}
    )
    assert quiet_hours_end(night, _at("2027-06-01 06:00", "America/Chicago")) == _at(
        "2027-06-01 07:00", "America/Chicago"
    )
    assert quiet_hours_end(night, _at("2027-06-01 23:00", "America/Chicago")) is None
    never = Station(timezone="UTC", settings_overrides={"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"})
    assert quiet_hours_end(never, _at("2027-06-01 23:00", "UTC")) is None


def test_quiet_hours_ending_in_a_dst_gap_move_forward():
    gap = Station(
        timezone="America/New_York", settings_overrides={"quiet_hours_start": "21:00", "quiet_hours_end": "02:30"}
    )
    # 02:30 does not exist on 14 March 2027: the quiet hours end at 03:30 EDT (07:30 UTC).
    assert quiet_hours_end(gap, _at("2027-03-14 01:00")) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


def test_a_review_request_sms_in_quiet_hours_waits_for_the_morning(svc):
    with time_machine.travel(_at("2027-06-01 10:00"), tick=False):
        booking_id = book(svc, consent=CONSENT_BOTH)
    complete_at(booking_id, _at("2027-06-15 21:00"))  # a party at 18:00, done at 21:00
    with time_machine.travel(_at("2027-06-16 21:05"), tick=False):
        jobs.review_requests()
    sms = _sms(booking_id, "review_request")
    assert sms.status == "queued"
    assert sms.reason == "deferred: quiet hours until Thu 08:00 EDT"
    assert rows(booking_id, kind="review_request", channel="email")[0].status == "recorded"
    with time_machine.travel(_at("2027-06-17 07:55"), tick=False):
        engine.sweep()  # the delivery sweep sends deferred rows once they are due
    assert _sms(booking_id, "review_request").status == "queued"
    with time_machine.travel(_at("2027-06-17 08:05"), tick=False):
        engine.sweep()
    sms = _sms(booking_id, "review_request")
    assert sms.status == "recorded"
    assert sms.sent_at == _at("2027-06-17 08:05")


def test_a_stop_while_deferred_wins(svc):
    with time_machine.travel(_at("2027-06-01 10:00"), tick=False):
        booking_id = book(svc, consent=CONSENT_BOTH)
    complete_at(booking_id, _at("2027-06-15 21:00"))
    with time_machine.travel(_at("2027-06-16 22:00"), tick=False):
        jobs.review_requests()
    with time_machine.travel(_at("2027-06-16 23:00"), tick=False):
        _say(booking_id, "STOP")
    with time_machine.travel(_at("2027-06-17 08:30"), tick=False):
        engine.sweep()
    assert (_sms(booking_id, "review_request").status, _sms(booking_id, "review_request").reason) == (
        "suppressed",
        "customer replied STOP",
    )


def test_a_deposit_reminder_that_would_wait_past_the_deadline_goes_at_once(svc):
    # Booked at 07:00: the deadline is 07:00 next day, the reminder due at 01:00 (quiet).
    with time_machine.travel(_at("2027-06-01 07:00"), tick=False):
        booking_id = book(svc)
    with time_machine.travel(_at("2027-06-02 01:05"), tick=False):
        jobs.deposit_reminders()
    assert {n.status for n in rows(booking_id, kind="deposit_reminder")} == {"recorded"}
