"""The scheduler's notification jobs at the right local time (time-machine)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from app.delivery import engine
from app.extensions import db
from app.notifications import jobs
from tests.notifications.helpers import CONSENT_BOTH, book, booking, complete_at, confirm, rows

NEW_YORK = ZoneInfo("America/New_York")


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=NEW_YORK).astimezone(UTC)


def run(job, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        job()


def test_the_48_hour_reminder_goes_48_hours_before_even_across_a_dst_change(svc):
    with time_machine.travel(at("2027-03-01 10:00"), tick=False):
        booking_id = book(svc)  # 15 March at 18:00 EDT; the clocks go forward on 14 March
        confirm(booking_id)
    starts = booking(booking_id).starts_at
    assert starts == at("2027-03-15 18:00")

    run(jobs.event_reminders, starts - timedelta(hours=48, minutes=5))
    assert rows(booking_id, kind="event_reminder") == []

    run(jobs.event_reminders, starts - timedelta(hours=47, minutes=55))  # 13 March, 18:05 EST
    reminders = rows(booking_id, kind="event_reminder")
    assert {(n.channel, n.status) for n in reminders} == {("email", "recorded"), ("sms", "recorded")}
    email = next(n for n in reminders if n.channel == "email")
    assert email.key.startswith(f"booking:{booking_id}:reminder:")
    assert "Monday, March 15, 2027 at 6:00 PM EDT" in email.body_text
    assert email.sent_at == starts - timedelta(hours=47, minutes=55)

    # Every later run (every 15 minutes) finds the reminder sent.
    run(jobs.event_reminders, starts - timedelta(hours=47, minutes=40))
    run(jobs.event_reminders, starts - timedelta(hours=2))
    assert len(rows(booking_id, kind="event_reminder")) == 2


def test_a_late_evening_party_is_reminded_by_sms_in_the_morning(svc):
    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        booking_id = book(svc, slot="21:00")
        confirm(booking_id)
    run(jobs.event_reminders, at("2027-06-13 21:05"))  # 48 h before 21:00 on 15 June
    reminders = {n.channel: n for n in rows(booking_id, kind="event_reminder")}
    assert reminders["email"].status == "recorded"
    assert reminders["sms"].status == "queued" and reminders["sms"].reason.startswith("deferred: quiet hours")
    run(engine.sweep, at("2027-06-14 08:10"))  # the delivery sweep, every 15 s
    sms = rows(booking_id, kind="event_reminder", channel="sms")[0]
    assert sms.status == "recorded" and sms.sent_at == at("2027-06-14 08:10")


def test_unconfirmed_and_rescheduled_bookings(svc):
    from app.bookings import lifecycle
    from tests.notifications.helpers import STAFF, change, station

    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        unpaid = book(svc)
        moved = book(svc, slot="12:00")
        confirm(moved)
    run(jobs.event_reminders, at("2027-06-13 18:05"))
    assert rows(unpaid, kind="event_reminder") == []  # only confirmed bookings are reminded
    assert len(rows(moved, kind="event_reminder")) == 2
    # Moved to a later date: reminded again before the new date.
    with time_machine.travel(at("2027-06-13 18:30"), tick=False):
        change(
            moved,
            lambda b: lifecycle.reschedule(
                station(svc), b, STAFF, new_date=b.event_date.replace(day=20), new_slot="12:00"
            ),
        )
    run(jobs.event_reminders, at("2027-06-18 12:05"))
    assert len(rows(moved, kind="event_reminder")) == 4


def test_review_request_a_day_after_completion_and_one_reminder_three_days_later(svc):
    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        booking_id = book(svc, consent=CONSENT_BOTH)
    complete_at(booking_id, at("2027-06-15 20:30"))

    run(jobs.review_requests, at("2027-06-16 20:25"))
    assert rows(booking_id, kind="review_request") == []
    run(jobs.review_requests, at("2027-06-16 20:35"))
    requests = {n.channel: n for n in rows(booking_id, kind="review_request")}
    assert {c: n.status for c, n in requests.items()} == {"email": "recorded", "sms": "recorded"}
    assert requests["email"].sent_at == at("2027-06-16 20:35")  # local time, before quiet hours
    assert "Reply STOP to opt out." in requests["sms"].body_text

    run(jobs.review_requests, at("2027-06-19 20:30"))
    assert rows(booking_id, kind="review_reminder") == []
    run(jobs.review_requests, at("2027-06-19 20:40"))
    reminders = rows(booking_id, kind="review_reminder")
    assert {(n.channel, n.status) for n in reminders} == {("email", "recorded"), ("sms", "recorded")}
    assert "this is the last time we ask" in next(n for n in reminders if n.channel == "email").body_text

    for day in ("2027-06-23 12:00", "2027-06-30 12:00"):
        run(jobs.review_requests, at(day))
    assert len(rows(booking_id, kind="review_request")) == 2
    assert len(rows(booking_id, kind="review_reminder")) == 2


def test_no_review_request_after_a_refund(svc):
    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        refunded = book(svc, consent=CONSENT_BOTH)
        later = book(svc, slot="12:00", consent=CONSENT_BOTH)
    complete_at(refunded, at("2027-06-15 20:30"))
    complete_at(later, at("2027-06-15 15:00"))
    booking(refunded).refunded_cents = 5000
    db.session.commit()
    run(jobs.review_requests, at("2027-06-16 20:35"))
    assert rows(refunded, kind="review_request") == []
    assert {n.status for n in rows(later, kind="review_request")} == {"recorded"}
    # Refunded after the request: no reminder either.
    booking(later).refunded_cents = 2000
    db.session.commit()
    run(jobs.review_requests, at("2027-06-20 12:00"))
    assert rows(later, kind="review_reminder") == []


def test_deposit_reminder_six_hours_before_the_deadline(svc):
    with time_machine.travel(at("2027-06-01 14:00"), tick=False):
        unpaid = book(svc)
        paid = book(svc, slot="12:00")
        confirm(paid)
    assert booking(unpaid).deposit_due_at == at("2027-06-02 14:00")
    run(jobs.deposit_reminders, at("2027-06-02 07:55"))
    assert rows(unpaid, kind="deposit_reminder") == []
    run(jobs.deposit_reminders, at("2027-06-02 08:05"))
    reminders = {n.channel: n for n in rows(unpaid, kind="deposit_reminder")}
    assert reminders["email"].status == "recorded" and reminders["sms"].status == "recorded"
    assert "due by Wednesday, June 2, 2027 at 2:00 PM EDT" in reminders["email"].body_text
    assert rows(paid, kind="deposit_reminder") == []
    run(jobs.deposit_reminders, at("2027-06-02 09:00"))
    assert len(rows(unpaid, kind="deposit_reminder")) == 2


def test_deposit_reminder_sms_due_at_night_waits_for_the_morning(svc):
    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        booking_id = book(svc)  # deadline 10:00 next day, reminder due at 04:00
    run(jobs.deposit_reminders, at("2027-06-02 04:05"))
    reminders = {n.channel: n for n in rows(booking_id, kind="deposit_reminder")}
    assert reminders["email"].status == "recorded" and reminders["sms"].status == "queued"
    run(engine.sweep, at("2027-06-02 08:00"))
    assert rows(booking_id, kind="deposit_reminder", channel="sms")[0].status == "recorded"


def test_a_deferred_reminder_of_a_booking_paid_meanwhile_is_dropped(svc):
    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        booking_id = book(svc)
    run(jobs.deposit_reminders, at("2027-06-02 04:05"))
    with time_machine.travel(at("2027-06-02 06:00"), tick=False):
        confirm(booking_id)
    run(engine.sweep, at("2027-06-02 08:00"))
    sms = rows(booking_id, kind="deposit_reminder", channel="sms")[0]
    assert (sms.status, sms.reason) == ("suppressed", "no longer relevant: the booking is confirmed")
