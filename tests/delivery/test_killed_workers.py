"""A `flask worker` process sends what a request queued; one killed with SIGKILL in the middle
of a send loses nothing and doubles nothing.

Each test kills a real worker process while the SMTP server holds its conversation, lets
the dead worker's leases run out (2 s here, 45 s by default), lets the periodic jobs run
on a new worker, and counts what the SMTP server received.
"""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.inbox.outbound import queue_reply
from app.jobs.outbox import relay
from app.models.conversation import Message
from app.models.newsletter import Campaign, CampaignRecipient
from app.models.outbox import Notification
from app.models.station import Station
from app.newsletter import campaigns, sending
from tests.api.conftest import add_chef, booking_body
from tests.delivery.conftest import (
    LEASE_SECONDS,
    kill_when_held,
    run_worker,
    start_worker,
    sweep_after_the_lease,
)
from tests.inbox.helpers import inbound
from tests.newsletter.conftest import add_subscribers, campaign

pytestmark = [pytest.mark.redis, pytest.mark.committing, pytest.mark.slow]


def _statuses(app, model, *where) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(model.status, func.count()).where(*where).group_by(model.status)).all())


def test_a_booking_s_notifications(redis_app, world, holding_sink):
    with redis_app.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    # The server stores the customer's email, then the worker dies before hearing "250 OK".
    sink = holding_sink(hold_for="ada@example.com", at="data")
    response = redis_app.test_client().post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201, response.get_json()

    kill_when_held(start_worker(sink.port), sink)
    # The dead worker claimed the booking's three messages: none is finished, none lost.
    assert _statuses(redis_app, Notification) == {"sending": 3}

    output = sweep_after_the_lease(redis_app, sink.port)
    assert _statuses(redis_app, Notification) == {"sent": 2, "recorded": 1}, output  # SMS: no Twilio here
    assert len(sink.to("manager@example.com")) == 1
    # SMTP cannot be asked what it has: the retry is the same message (one Message-ID), which mail
    # systems keep once; the customer never gets a second, different email.
    to_ada = sink.to("ada@example.com")
    assert len(to_ada) == 2 and to_ada[0]["Message-ID"] == to_ada[1]["Message-ID"]
    with redis_app.app_context():
        row = db.session.scalar(select(Notification).where(Notification.recipient == "ada@example.com"))
        assert (row.attempts, row.provider_id) == (2, to_ada[0]["Message-ID"])


def test_a_campaign(redis_app, world, holding_sink):
    total = 300
    sink = holding_sink(hold_for="sub120@example.com", at="rcpt")
    with redis_app.app_context():
        add_subscribers(world.station.id, total)
        row = campaign(world.station.id)
        sending.start(row)
        db.session.commit()
        campaign_id = row.id
        relay()  # the first batch job goes to Redis, as after a request

    kill_when_held(start_worker(sink.port), sink)
    killed = _statuses(redis_app, CampaignRecipient)
    assert killed["sent"] == 119 and killed["sending"] > 0 and sum(killed.values()) == total

    # The dead worker's claims are taken over once their lease expires; the campaign, without
    # progress for three leases, is resumed by the periodic job and finishes.
    sweep_after_the_lease(redis_app, sink.port, wait=3 * LEASE_SECONDS, jobs=("newsletter.start_due_campaigns",))

    recipients = [m["To"] for m in sink.messages]
    assert len(recipients) == total and len(set(recipients)) == total  # each exactly once
    with redis_app.app_context():
        done = db.session.get(Campaign, campaign_id)
        stats = campaigns.stats(done)
        assert done.status == "sent"
        assert (stats.total, stats.sent, stats.failed, stats.suppressed, stats.queued, stats.sending) == (
            total,
            total,
            0,
            0,
            0,
            0,
        )


def test_inbox_replies(redis_app, world, holding_sink):
    addresses = ["ana@example.com", "bo@example.com", "cy@example.com"]
    sink = holding_sink(hold_for="bo@example.com", at="rcpt")
    with redis_app.app_context():
        station = db.session.get(Station, world.station.id)
        station.inbox_email = "alpha@teppan.example"
        for address in addresses:
            message = inbound(station.id, "Do you have Saturday?", channel="email", contact=address, subject="Party")
            queue_reply(message.conversation, f"Yes, Saturday works, {address}!", user=None)
        db.session.commit()
        relay()  # three send jobs go to Redis, as after a request

    kill_when_held(start_worker(sink.port), sink)
    replies = (Message.direction == "out",)
    assert _statuses(redis_app, Message, *replies) == {"sent": 1, "sending": 1, "queued": 1}

    output = sweep_after_the_lease(redis_app, sink.port)
    assert _statuses(redis_app, Message, *replies) == {"sent": 3}, output
    assert sorted(m["To"] for m in sink.messages) == addresses  # each reply exactly once
    with redis_app.app_context():
        bo = db.session.scalar(select(Message).where(Message.direction == "out", Message.body.contains("bo@")))
        assert bo.attempts == 2 and bo.provider_id == sink.to("bo@example.com")[0]["Message-ID"]


def test_a_worker_process_sends_a_booking_s_messages_after_the_request(redis_app, world, redis_server, smtp_server):
    with redis_app.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    assert redis_app.test_client().post("/api/v1/bookings", json=booking_body()).status_code == 201
    # With Redis the request only enqueued the job: nothing is sent yet.
    assert _statuses(redis_app, Notification) == {}
    assert len(Queue("notifications", connection=redis_server).get_job_ids()) == 1
    run_worker(smtp_server.port)
    assert _statuses(redis_app, Notification) == {"sent": 2, "recorded": 1}  # SMS: no Twilio configured
    assert sorted(m["To"] for m in smtp_server.messages) == ["ada@example.com", "manager@example.com"]
