"""Each notification goes out at most once: re-runs, races, a worker killed mid-send."""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models.outbox import Notification
from app.notifications import backends, jobs, policy
from app.notifications.sending import send_notification
from tests.notifications.helpers import book_quietly, event_id, rows


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after the provider call runs (not an Exception)."""


def test_a_worker_killed_during_the_send_leaves_the_row_unsent_forever(svc, smtp, monkeypatch):
    booking_id = book_quietly(svc)
    created = event_id(booking_id, "created")
    real_send = backends.SmtpBackend.send

    def killed_for_the_customer(self, message):
        if message.to == "ada@example.com":
            raise WorkerKilled
        return real_send(self, message)

    monkeypatch.setattr(backends.SmtpBackend, "send", killed_for_the_customer)
    try:
        jobs.booking_event(booking_id, "created", created)
    except WorkerKilled:
        db.session.rollback()
    monkeypatch.setattr(backends.SmtpBackend, "send", real_send)
    email = rows(booking_id, kind="booking_received", channel="email")[0]
    assert (email.status, email.attempts, email.backend) == ("sending", 1, "smtp")

    # RQ finds the job abandoned; it is retried (or the sweep runs): the claimed row is
    # not sent again, the rows the dead worker never reached are.
    jobs.booking_event(booking_id, "created", created)
    jobs.booking_event(booking_id, "created", created)
    assert rows(booking_id, kind="booking_received", channel="email")[0].status == "sending"
    assert [m["To"] for m in smtp.messages] == ["manager@example.com"]
    assert rows(booking_id, kind="booking_received", channel="sms")[0].status == "sent"


def test_rows_written_by_a_job_that_died_before_sending_are_swept(svc, smtp):
    import time_machine

    from app.notifications import planning
    from app.notifications.sending import SWEEP_GRACE

    booking_id = book_quietly(svc)
    ids = planning.for_booking_event(booking_id, "created", event_id(booking_id, "created"))  # then "dies"
    assert {n.status for n in rows(booking_id)} == {"pending"}
    created_at = rows(booking_id)[0].created_at
    with time_machine.travel(created_at + SWEEP_GRACE / 2, tick=False):
        jobs.event_reminders()
    assert {n.status for n in rows(booking_id)} == {"pending"}  # still the writer's
    with time_machine.travel(created_at + SWEEP_GRACE * 2, tick=False):
        jobs.event_reminders()
    assert {n.status for n in rows(booking_id)} == {"sent"}
    assert len(smtp.messages) == len([i for i in ids if db.session.get(Notification, i).channel == "email"])


def test_a_row_claimed_by_another_worker_is_not_sent_here(svc, smtp, monkeypatch):
    booking_id = book_quietly(svc)
    from app.notifications import planning

    (email_id, *_rest) = planning.for_booking_event(booking_id, "created", event_id(booking_id, "created"))
    real_decide = policy.decide

    def other_worker_claims_first(notification, now):
        decision = real_decide(notification, now)
        db.session.execute(update(Notification).where(Notification.id == email_id).values(status="sending"))
        db.session.commit()
        return decision

    monkeypatch.setattr(policy, "decide", other_worker_claims_first)
    assert send_notification(email_id) == "claimed elsewhere"
    assert smtp.messages == []


def test_a_row_that_keeps_failing_is_given_up(svc, app, monkeypatch):
    from app.notifications import planning
    from app.notifications.sending import MAX_ATTEMPTS

    booking_id = book_quietly(svc)
    (email_id, *_rest) = planning.for_booking_event(booking_id, "created", event_id(booking_id, "created"))
    db.session.execute(update(Notification).where(Notification.id == email_id).values(attempts=MAX_ATTEMPTS))
    db.session.commit()
    assert send_notification(email_id) == "failed"
    assert db.session.get(Notification, email_id).error == f"gave up after {MAX_ATTEMPTS} attempts"
