"""The payment schedule: balance reminders N+4 and N days before (once each, time-machine), overdue
balances on the dashboard and in the bookings list filter."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.bookings import lifecycle
from app.bookings.timeline import Actor
from app.extensions import db
from app.jobs.outbox import relay
from app.models.booking import Booking
from app.models.outbox import Notification
from app.notifications import jobs


def _at(day, hour: int = 15) -> datetime:
    """15:00 UTC (morning in New York) on `day`."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _run(app) -> None:
    """The periodic job as the worker runs it: its own app context, then commit."""
    with app.app_context():
        jobs.balance_reminders()
        db.session.commit()


def _reminders(dbq) -> list[tuple[str, str]]:
    rows = dbq.scalars(select(Notification).where(Notification.kind == "balance_reminder"))
    return sorted((row.key.split(":")[3], row.channel) for row in rows)


def test_reminders_go_out_n_plus_4_and_n_days_before_once_each(app, party, dbq):
    event_day = party.event_date
    with time_machine.travel(_at(event_day - timedelta(days=8)), tick=False):
        _run(app)
    assert _reminders(dbq) == []  # too early
    for _ in range(2):  # the scheduler runs every 15 minutes: the second run sends nothing more
        with time_machine.travel(_at(event_day - timedelta(days=7)), tick=False):
            _run(app)
    assert _reminders(dbq) == [("early", "email"), ("early", "sms")]
    for _ in range(2):
        with time_machine.travel(_at(event_day - timedelta(days=3)), tick=False):
            _run(app)
    assert _reminders(dbq) == [("due", "email"), ("due", "sms"), ("early", "email"), ("early", "sms")]
    email = dbq.scalar(
        select(Notification).where(Notification.kind == "balance_reminder", Notification.channel == "email")
    )
    assert f"/b/{party.token}" in email.body_text and "$510.00" in email.body_text  # the pay link and the balance


def test_a_paid_balance_is_not_reminded(app, party, dbq):
    with app.test_request_context():
        booking = db.session.get(Booking, party.id)
        lifecycle.record_payment(
            booking, Actor.system("test"), amount_cents=booking.balance_cents, method="zelle", kind="balance"
        )
        db.session.commit()
        relay()  # the receipt job the payment emitted (a worker would run it now)
    with time_machine.travel(_at(party.event_date - timedelta(days=3)), tick=False):
        _run(app)
    assert _reminders(dbq) == []
    receipt = dbq.scalar(
        select(Notification).where(Notification.kind == "balance_received", Notification.channel == "email")
    )
    assert receipt is not None and "Nothing is left to pay." in receipt.body_text  # recorded by staff: a receipt too


@pytest.mark.parametrize(("days_before", "overdue"), [(3, False), (2, True)])
def test_overdue_balances_on_the_dashboard_and_the_list(as_role, party, days_before, overdue):
    with time_machine.travel(_at(party.event_date - timedelta(days=days_before)), tick=True):
        listed = as_role("manager").get("/s/alpha/bookings/?balance=overdue").get_data(as_text=True)
        dashboard = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert ("Ada Lovelace" in listed) is overdue
    assert "Balances overdue" in dashboard and "balance=overdue" in dashboard
