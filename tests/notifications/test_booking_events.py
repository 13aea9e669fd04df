"""What each booking event sends, to whom, once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.bookings import lifecycle
from app.extensions import db
from app.models.chef import Chef
from app.models.outbox import Notification
from app.notifications import jobs
from tests.notifications.helpers import STAFF, book, booking, change, confirm, event_id, rows, station, summary


def test_a_new_booking_tells_the_customer_by_email_and_sms_and_alerts_the_managers(svc):
    booking_id = book(svc)
    assert summary(booking_id) == {
        ("booking_received", "email", "customer", "recorded"),
        ("booking_received", "sms", "customer", "recorded"),
        ("staff_new_booking", "email", f"manager-{_manager_id()}", "recorded"),
    }
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    b = booking(booking_id)
    assert email.recipient == "ada@example.com"
    assert email.backend == "recorded" and email.provider_id.startswith("recorded-")
    assert email.key == f"booking:{booking_id}:created:{event_id(booking_id, 'created')}:email:customer"
    assert email.subject.startswith(f"Booking {b.reference} received: deposit due ")
    text = email.body_text
    # Party details, money and the deposit deadline in the station's time (Atlanta).
    assert "10 adults, 2 children (12 in all)" in text
    assert "Balance due by " in text and ": $610.00" in text  # balance_due_days (3) before the party
    assert "DEPOSIT: $100.00 due by" in text
    assert (" EST" in text) or (" EDT" in text)
    deadline_local = b.deposit_due_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert deadline_local.strftime("%B %-d") in text and deadline_local.strftime("%-I:%M %p") in text
    # No Stripe link here: the message says how to pay instead.
    assert "To pay the deposit, reply to this email or call (404) 555-0100" in text
    assert "Alpha" in email.body_html and "$610.00" in email.body_html

    sms = rows(booking_id, kind="booking_received", channel="sms")[0]
    assert sms.recipient == "+14045550142"
    assert sms.body_text.startswith("Alpha: we received your hibachi booking")
    assert "Reply STOP to opt out." in sms.body_text
    assert len(sms.body_text) < 320

    staff = rows(booking_id, kind="staff_new_booking")[0]
    assert staff.recipient == "manager@example.com"
    assert f"/s/alpha/bookings/{booking_id}" in staff.body_text


def _manager_id() -> int:
    from app.models.user import User

    return db.session.scalar(select(User.id).where(User.email == "manager@example.com"))


def test_the_job_run_twice_sends_nothing_twice(svc, smtp, twilio):
    booking_id = book(svc)
    assert len(smtp.messages) == 2  # the customer and the manager
    assert len(twilio.sent) == 1
    created_event = event_id(booking_id, "created")
    # A second run (RQ retry, a re-enqueue, a relay that ran twice) finds every row sent: nothing to do.
    assert jobs.booking_event(booking_id, "created", created_event) == {}
    jobs.booking_event(booking_id, "created", created_event)
    assert len(smtp.messages) == 2
    assert len(twilio.sent) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 3


def test_confirmation_after_the_deposit(svc):
    booking_id = book(svc)
    confirm(booking_id)
    confirmed = rows(booking_id, kind="booking_confirmed")
    assert {(n.channel, n.status) for n in confirmed} == {("email", "recorded"), ("sms", "recorded")}
    email = next(n for n in confirmed if n.channel == "email")
    assert "deposit received" in email.subject
    assert "$510.00" in email.body_text  # the balance after the $100 deposit


def test_cancellation_says_whether_the_deposit_is_refunded(svc):
    early = book(svc)
    confirm(early)
    change(early, lambda b: lifecycle.cancel(station(svc), b, STAFF, reason="Moving away"))
    email = rows(early, kind="booking_cancelled", channel="email")[0]
    assert "your deposit of $100.00 is refundable" in email.body_text

    late = book(svc, event_date=(date.today() + timedelta(days=3)).isoformat(), slot="12:00")
    confirm(late)
    change(late, lambda b: lifecycle.cancel(station(svc), b, STAFF, reason="Changed plans"))
    email = rows(late, kind="booking_cancelled", channel="email")[0]
    assert "is not refundable" in email.body_text
    sms = rows(late, kind="booking_cancelled", channel="sms")[0]
    assert sms.status == "recorded" and "not refundable" in sms.body_text

    unpaid = book(svc, slot="15:00")
    change(unpaid, lambda b: lifecycle.cancel(station(svc), b, STAFF, reason="Duplicate"))
    assert "nothing to refund" in rows(unpaid, kind="booking_cancelled", channel="email")[0].body_text


def test_expiry_and_reschedule_tell_the_customer(svc):
    booking_id = book(svc)
    b = booking(booking_id)
    change(booking_id, lambda b: lifecycle.expire(b, now=b.deposit_due_at + timedelta(minutes=1)))
    assert {n.channel for n in rows(booking_id, kind="booking_expired", status="recorded")} == {"email", "sms"}

    moved = book(svc, slot="12:00")
    new_day = b.event_date + timedelta(days=1)
    change(
        moved,
        lambda b: lifecycle.reschedule(station(svc), b, STAFF, new_date=new_day, new_slot="15:00"),
    )
    email = rows(moved, kind="booking_rescheduled", channel="email")[0]
    assert f"from {b.event_date.isoformat()} at 12:00" in email.body_text
    assert "3:00 PM" in email.body_text


def test_the_chef_hears_about_assignment_and_unassignment(svc):
    booking_id = book(svc, allergies="Peanuts")
    kenji = db.session.get(Chef, svc.kenji_id)
    change(booking_id, lambda b: lifecycle.assign_chef(station(svc), b, kenji, STAFF))
    sent = rows(booking_id, kind="chef_assigned")
    assert {(n.channel, n.recipient, n.status) for n in sent} == {
        ("email", "kenji@example.com", "recorded"),
        ("sms", "+14045550111", "recorded"),
    }
    email = next(n for n in sent if n.channel == "email")
    assert "ALLERGIES: Peanuts" in email.body_text and "12 (10 adults, 2 children)" in email.body_text
    assert "ALLERGIES: Peanuts" in next(n for n in sent if n.channel == "sms").body_text

    # Hana has no email or phone: nothing to send to her; Kenji hears he is off.
    hana = db.session.get(Chef, svc.hana_id)
    change(booking_id, lambda b: lifecycle.assign_chef(station(svc), b, hana, STAFF))
    assert {(n.kind, n.channel) for n in rows(booking_id, kind="chef_unassigned")} == {
        ("chef_unassigned", "email"),
        ("chef_unassigned", "sms"),
    }
    assert len(rows(booking_id, kind="chef_assigned")) == 2


def test_completion_sends_nothing_at_once(svc):
    import time_machine

    booking_id = book(svc)
    confirm(booking_id)
    before = len(rows(booking_id))
    with time_machine.travel(booking(booking_id).starts_at + timedelta(hours=3), tick=False):
        change(booking_id, lambda b: lifecycle.complete(b, STAFF))
    assert len(rows(booking_id)) == before


def test_with_card_payments_the_messages_link_to_the_deposit_page(svc, app, monkeypatch, httpserver):
    # Card payments on (the payments area makes a Checkout Session: a local fake answers).
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_notifications")
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", httpserver.url_for("/").rstrip("/"))
    session = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "payment",
        "status": "open",
        "payment_status": "unpaid",
        "url": "https://checkout.stripe.test/c/pay/cs_test_1",
    }
    httpserver.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(session)
    booking_id = book(svc)
    link = f"http://localhost/pay/{booking(booking_id).public_token}"
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert f"Pay the deposit: {link}" in email.body_text
    assert f'href="{link}"' in email.body_html
    assert link in rows(booking_id, kind="booking_received", channel="sms")[0].body_text
    confirm(booking_id)
    confirmed = rows(booking_id, kind="booking_confirmed", channel="email")[0]
    assert link not in confirmed.body_text  # paid: no link any more
