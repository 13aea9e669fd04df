"""Campaigns sent through the batch job: real SMTP (aiosmtpd) and the Twilio fake,
one-click unsubscribe, at most once, quiet hours, STOP, tracked links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, update

from app.customers.services import record_consent
from app.delivery import engine, machine, sms_twilio
from app.errors import DomainError
from app.extensions import db
from app.models.base import utcnow
from app.models.customer import Customer
from app.models.newsletter import Campaign, CampaignLink, CampaignRecipient, LinkClick, Subscriber, SubscriptionConsent
from app.models.outbox import OutboxMessage
from app.models.station import Station
from app.newsletter import campaigns, sending
from app.newsletter.jobs import start_due
from app.newsletter.subscriptions import stop_sms_for_phone
from app.notifications.policy import quiet_hours_end
from tests.newsletter.conftest import campaign, run_batches, subscriber

# Station alpha is in New York; quiet hours 21:00-08:00 local.
NOON_NY = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
LATE_NY = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 22:00 in New York


def statuses(campaign_id: int) -> dict[int, str]:
    db.session.expire_all()
    rows = db.session.execute(
        select(CampaignRecipient.subscriber_id, CampaignRecipient.status).where(
            CampaignRecipient.campaign_id == campaign_id
        )
    )
    return dict(rows.all())


def test_an_email_campaign_goes_out_over_smtp_with_one_click_unsubscribe(app, svc, smtp):
    ada = subscriber(svc, email="ada@example.com", email_status="subscribed", name="Ada Lovelace")
    subscriber(svc, email="pending@example.com", email_status="pending")  # unconfirmed: not reached
    row = campaign(svc)
    sending.start(row)
    db.session.commit()
    assert run_batches(app) == 1

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "ada@example.com" and message["Subject"] == "Hello Ada"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<https?://[^/]+(/n/unsubscribe/\S+)>", message["List-Unsubscribe"].strip()).group(1)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hi Ada, book now:" in text and "/n/c/" in text and "teppan.example/book" not in text
    assert unsubscribe in text and unsubscribe in html  # the footer link too

    campaign_row = db.session.get(Campaign, row.id)
    counts = campaigns.stats(campaign_row)
    assert (campaign_row.status, counts.total, counts.sent, counts.failed) == ("sent", 1, 1, 0)

    # RFC 8058: the mail client POSTs the form body, no cookie, no CSRF token.
    client = app.test_client()
    page = client.get(unsubscribe)
    assert page.status_code == 200 and b"Unsubscribe</button>" in page.data
    assert db.session.get(Subscriber, ada.id).email_status == "subscribed"
    response = client.post(
        unsubscribe,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Subscriber, ada.id).email_status == "unsubscribed"
    ledger = db.session.scalars(select(SubscriptionConsent).where(SubscriptionConsent.subscriber_id == ada.id)).all()
    assert [(c.channel, c.granted, c.source, c.ip_address) for c in ledger] == [
        ("email", False, "email.one_click", "192.0.2.44")
    ]
    recipient = db.session.scalar(select(CampaignRecipient).where(CampaignRecipient.campaign_id == row.id))
    assert recipient.unsubscribed_at is not None  # counted in the campaign's stats
    assert client.post("/n/unsubscribe/forged").status_code == 404


def test_an_sms_campaign_goes_out_through_twilio_and_honours_stop(app, svc, twilio):
    ok = subscriber(svc, phone="+14045550101", sms_status="subscribed", name="Bo Diddley")
    stopped = subscriber(svc, phone="+14045550102", sms_status="subscribed")
    # The number replied STOP to the station as a customer (the inbound SMS webhook's record).
    customer = Customer(station_id=svc, name="Stopped", phone="+14045550102")
    db.session.add(customer)
    db.session.flush()
    record_consent(
        customer,
        channel="sms",
        granted=False,
        text="Replied STOP",
        source="sms.stop",
        ip_address=None,
        purpose="transactional",
    )
    row = campaign(svc, channel="sms", body="Hi {first_name}! 10% off this week.")
    with time_machine.travel(NOON_NY, tick=False):
        sending.start(row)
        db.session.commit()
        run_batches(app)
    assert [m["To"] for m in twilio.sent] == ["+14045550101"]
    assert twilio.sent[0]["Body"] == "Hi Bo! 10% off this week. Reply STOP to opt out."
    assert statuses(row.id) == {ok.id: "sent", stopped.id: "suppressed"}
    reason = db.session.scalar(select(CampaignRecipient.reason).where(CampaignRecipient.subscriber_id == stopped.id))
    assert reason == "replied STOP by SMS"


def test_the_inbound_stop_helper_unsubscribes_the_subscriber_of_that_number(svc):
    row = subscriber(svc, phone="+14045550103", sms_status="subscribed")
    assert stop_sms_for_phone(svc, "+14045550103") == 1
    assert row.sms_status == "unsubscribed"
    assert stop_sms_for_phone(svc, "+14045550103") == 0
    assert stop_sms_for_phone(svc, "+14045550999") == 0


def test_each_recipient_is_sent_at_most_once(app, svc, smtp):
    for n in range(3):
        subscriber(svc, email=f"r{n}@example.com", email_status="subscribed")
    row = campaign(svc)
    sending.start(row)
    with pytest.raises(DomainError):
        sending.start(row)  # a second start is refused and writes nothing
    db.session.commit()
    # A worker died after claiming this one: its claim holds until the lease expires.
    crashed = db.session.scalars(select(CampaignRecipient).where(CampaignRecipient.campaign_id == row.id)).first()
    crashed.status, crashed.attempts, crashed.lease_expires_at = "sending", 1, utcnow() + machine.LEASE
    db.session.commit()
    run_batches(app)
    assert sending.send_batch(row.id) == {}  # the job again (a retry, a second worker): nothing
    db.session.expire_all()
    assert sending.send_batch(row.id) == {}
    assert len(smtp.messages) == 2
    assert sorted(statuses(row.id).values()) == ["sending", "sent", "sent"]
    assert db.session.get(Campaign, row.id).status == "sending"  # not finished while one is in flight
    with time_machine.travel(crashed.lease_expires_at + timedelta(seconds=1), tick=False):
        engine.sweep()  # the sweep takes the dead worker's claim over
    assert sorted(m["To"] for m in smtp.messages) == ["r0@example.com", "r1@example.com", "r2@example.com"]
    assert sorted(statuses(row.id).values()) == ["sent", "sent", "sent"]
    assert db.session.get(Campaign, row.id).status == "sent"


def test_a_transient_failure_gives_the_claims_back_without_sending_twice(app, svc, smtp):
    for n in range(2):
        subscriber(svc, email=f"t{n}@example.com", email_status="subscribed")
    row = campaign(svc)
    sending.start(row)
    db.session.commit()
    smtp.rcpt_replies.append("451 try again later")
    assert sending.send_batch(row.id) == {"queued": 1, "sent": 1}
    assert sorted(statuses(row.id).values()) == ["queued", "sent"]
    # Nothing else is due: the campaign waits for the backoff, then the periodic job resumes it.
    resume_at = db.session.get(Campaign, row.id).scheduled_at
    assert resume_at is not None
    assert start_due()["resumed"] == 0
    with time_machine.travel(resume_at, tick=False):
        assert start_due()["resumed"] == 1
        db.session.commit()
        run_batches(app)
    assert sorted(m["To"] for m in smtp.messages) == ["t0@example.com", "t1@example.com"]
    assert db.session.get(Campaign, row.id).status == "sent"


def test_sms_batches_wait_for_the_end_of_quiet_hours(app, svc, twilio):
    subscriber(svc, phone="+14045550104", sms_status="subscribed")
    row = campaign(svc, channel="sms")
    with time_machine.travel(LATE_NY, tick=False):
        sending.start(row)
        db.session.commit()
        assert run_batches(app) == 1
        assert twilio.sent == []
        campaign_row = db.session.get(Campaign, row.id)
        assert campaign_row.status == "sending"
        resume_at = campaign_row.scheduled_at
        assert resume_at == quiet_hours_end(db.session.get(Station, svc), LATE_NY)
        assert start_due() == {"started": 0, "resumed": 0}  # not yet
    with time_machine.travel(resume_at, tick=False):
        assert start_due()["resumed"] == 1
        db.session.commit()
        run_batches(app)
    assert len(twilio.sent) == 1
    assert db.session.get(Campaign, row.id).status == "sent"


def test_a_scheduled_campaign_starts_when_due(app, svc):
    subscriber(svc, email="s@example.com", email_status="subscribed")
    row = campaign(svc, status="scheduled", scheduled_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    db.session.commit()
    with time_machine.travel(datetime(2026, 12, 2, 14, 59, tzinfo=UTC), tick=False):
        assert start_due()["started"] == 0
    with time_machine.travel(datetime(2026, 12, 2, 15, 0, 30, tzinfo=UTC), tick=False):
        assert start_due()["started"] == 1
        run_batches(app)
    row = db.session.get(Campaign, row.id)
    assert (row.status, campaigns.stats(row).recorded) == ("sent", 1)  # no SMTP here: recorded


def test_tracked_links_count_and_redirect_only_to_the_stored_url(app, svc):
    ada = subscriber(svc, email="ada@example.com", email_status="subscribed")
    row = campaign(svc, body="Menu: https://teppan.example/menu?x=1. Book: https://teppan.example/book")
    sending.start(row)
    db.session.commit()
    run_batches(app)
    links = {link.url: link.token for link in db.session.scalars(select(CampaignLink))}
    assert set(links) == {"https://teppan.example/menu?x=1", "https://teppan.example/book"}
    recipient_id = db.session.scalar(select(CampaignRecipient.id).where(CampaignRecipient.subscriber_id == ada.id))
    from app.newsletter.links import sign_recipient

    client = app.test_client()
    signed = sign_recipient(recipient_id)
    response = client.get(f"/n/c/{links['https://teppan.example/book']}?r={signed}&next=https://evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "https://teppan.example/book"
    assert client.get(f"/n/c/{links['https://teppan.example/book']}?r=forged").status_code == 302
    assert client.get("/n/c/unknown-token").status_code == 404
    db.session.expire_all()
    clicks = db.session.scalars(select(LinkClick).order_by(LinkClick.id)).all()
    assert [c.recipient_id for c in clicks] == [recipient_id, None]
    assert db.session.scalar(select(CampaignLink.clicks).where(CampaignLink.url == "https://teppan.example/book")) == 2


def test_without_redis_the_job_runs_the_batches_one_after_the_other(app, svc, monkeypatch):
    """Inline jobs (no Redis): one job loops over the batches instead of emitting each
    (an emitted batch would be relayed from inside the previous one, recursively)."""
    from app.jobs.outbox import relay
    from app.models.outbox import OutboxMessage

    monkeypatch.setitem(app.config, "NEWSLETTER_BATCH_SIZE", 2)
    for n in range(5):
        subscriber(svc, email=f"i{n}@example.com", email_status="subscribed")
    row = campaign(svc)
    sending.start(row)
    db.session.commit()
    relay()
    db.session.expire_all()
    done = db.session.get(Campaign, row.id)
    assert (done.status, campaigns.stats(done).recorded) == ("sent", 5)
    jobs = db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.job == "newsletter.send_batch")).all()
    assert jobs == [f"newsletter.send_batch:{row.id}:start"]


def test_an_sms_batch_stops_where_quiet_hours_begin(app, svc, twilio, monkeypatch):
    from datetime import timedelta

    for n in range(3):
        subscriber(svc, phone=f"+1404555020{n}", sms_status="subscribed")
    row = campaign(svc, channel="sms")
    with time_machine.travel(datetime(2026, 12, 3, 1, 59, tzinfo=UTC), tick=False) as clock:  # 20:59 in New York
        real_send = sms_twilio.TwilioBackend.send

        def send_and_let_two_minutes_pass(self, message):
            sid = real_send(self, message)
            clock.shift(timedelta(minutes=2))
            return sid

        monkeypatch.setattr(sms_twilio.TwilioBackend, "send", send_and_let_two_minutes_pass)
        sending.start(row)
        db.session.commit()
        run_batches(app)
    assert len(twilio.sent) == 1
    assert sorted(statuses(row.id).values()) == ["queued", "queued", "sent"]
    campaign_row = db.session.get(Campaign, row.id)
    assert campaign_row.status == "sending"
    assert campaign_row.scheduled_at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 08:00 in New York


def test_stopping_a_send_leaves_the_rest_unsent_and_a_stalled_send_is_resumed(app, svc):
    for n in range(4):
        subscriber(svc, email=f"c{n}@example.com", email_status="subscribed")
    stopped_row, stalled_row = campaign(svc), campaign(svc)
    sending.start(stopped_row)
    sending.start(stalled_row)
    campaigns.cancel(stopped_row)
    db.session.commit()
    assert sending.send_batch(stopped_row.id) == {}
    assert set(statuses(stopped_row.id).values()) == {"suppressed"}  # not sent: the campaign was cancelled

    # The stalled one: its first batch job was lost (say Redis was flushed).
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.job == "newsletter.send_batch").values(dispatched_at=utcnow())
    )
    db.session.commit()
    assert start_due()["resumed"] == 0  # recent progress: left alone
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        assert start_due()["resumed"] == 1
        db.session.commit()
        run_batches(app)
    assert db.session.get(Campaign, stalled_row.id).status == "sent"
    assert db.session.get(Campaign, stopped_row.id).status == "cancelled"
