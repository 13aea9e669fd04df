"""Issue 6, done when: a campaign to a segment of 5,000 subscribers sends through the
batch job with a progress bar, and honours unsubscribes made during the send.

Run twice: by an RQ worker on the real Redis (one job at a time, `max_jobs=1`), and by
the batch job fed straight from the outbox (`run_batches`, the inline path), both with
the recorded email backend. After the first batch, 50 subscribers not yet sent to click
the one-click unsubscribe of their email (the RFC 8058 POST): they must be skipped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from flask import Flask
from rq import SimpleWorker
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.outbox import relay
from app.jobs.queues import queue, redis_connection
from app.models.newsletter import Campaign, CampaignRecipient
from app.models.station import Station
from app.newsletter import campaigns, sending
from app.newsletter.subscriptions import unsubscribe_token
from tests.conftest import TEST_REDIS_URL
from tests.jobs.conftest import queued_ids, redis_server  # noqa: F401
from tests.newsletter.conftest import add_subscribers, campaign, run_batches
from tests.support import new_client

SUBSCRIBERS = 5_000
UNSUBSCRIBED_DURING = 50
PROGRESS = re.compile(rb'<progress id="campaign-progress-bar" value="(\d+)" max="(\d+)">')


def progress(manager, campaign_id: int) -> tuple[int, int, bool]:
    """(value, max, still polling) of the campaign's progress fragment."""
    response = manager.htmx("get", f"/s/alpha/newsletter/campaigns/{campaign_id}/progress")
    assert response.status_code == 200
    value, maximum = (int(n) for n in PROGRESS.search(response.data).groups())
    return value, maximum, b'hx-trigger="load delay:2s"' in response.data


def run_with_rq_worker(app: Flask, between: Callable[[int], None]) -> int:
    """The real worker path: the outbox relays each batch job to the test Redis and an RQ
    SimpleWorker (in this process, on the test's database connection) runs one job at a time."""
    ran = 0
    while True:
        with app.app_context():
            if not queued_ids(redis_connection(), "notifications"):
                return ran
            worker = SimpleWorker([queue("notifications")], connection=redis_connection())
            worker.work(burst=True, max_jobs=1, logging_level="WARNING")
        ran += 1
        between(ran)


def send_5000_and_unsubscribe_50_during_the_send(app: Flask, manager, run: Callable, label: str) -> str:
    """Runs the scenario, asserts exact counts; returns the timing line."""
    station_id = db_station_id(app)
    with app.app_context():
        add_subscribers(station_id, SUBSCRIBERS, tags='["spring"]')
        add_subscribers(station_id, 20, prefix="other")  # not in the segment
        campaign_id = campaign(station_id, rules={"tags": ["spring"]}).id
        db.session.commit()

    unsubscribed: list[int] = []

    def between(batch: int) -> None:
        if batch == 1:
            value, maximum, polling = progress(manager, campaign_id)
            assert (value, maximum, polling) == (sending.DEFAULT_BATCH_SIZE, SUBSCRIBERS, True)
            with app.app_context():
                not_yet_sent = db.session.scalars(
                    select(CampaignRecipient.subscriber_id)
                    .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "queued")
                    .order_by(CampaignRecipient.id.desc())
                    .limit(UNSUBSCRIBED_DURING)
                ).all()
                tokens = [unsubscribe_token(sid) for sid in not_yet_sent]
            client = app.test_client()
            for subscriber_id, token in zip(not_yet_sent, tokens, strict=True):
                response = client.post(
                    f"/n/unsubscribe/{token}",
                    data="List-Unsubscribe=One-Click",
                    content_type="application/x-www-form-urlencoded",
                )
                assert response.status_code == 200
                unsubscribed.append(subscriber_id)
        if batch == 10:
            value, _, polling = progress(manager, campaign_id)
            assert 0 < value < SUBSCRIBERS and polling

    started = time.perf_counter()
    with app.app_context():
        sending.start(db.session.get(Campaign, campaign_id))
        db.session.commit()
        if app.config.get("REDIS_URL"):
            relay()  # enqueues the first batch (without Redis, run_batches reads the outbox itself)
    batches = run(app, between)
    elapsed = time.perf_counter() - started
    timing = f"5,000-recipient campaign ({label}): {batches} batches in {elapsed:.1f} s (incl. 50 unsubscribe requests)"

    assert batches == SUBSCRIBERS // sending.DEFAULT_BATCH_SIZE
    assert len(unsubscribed) == UNSUBSCRIBED_DURING
    with app.app_context():
        row = db.session.get(Campaign, campaign_id)
        counts = campaigns.stats(row)
        # No provider configured here: every message is recorded (the Sent messages page's "recorded").
        assert (row.status, counts.total, counts.recorded, counts.suppressed, counts.failed) == (
            "sent",
            SUBSCRIBERS,
            SUBSCRIBERS - UNSUBSCRIBED_DURING,
            UNSUBSCRIBED_DURING,
            0,
        )
        by_status = dict(
            db.session.execute(
                select(CampaignRecipient.status, func.count())
                .where(CampaignRecipient.campaign_id == campaign_id)
                .group_by(CampaignRecipient.status)
            ).all()
        )
        assert by_status == {"recorded": SUBSCRIBERS - UNSUBSCRIBED_DURING, "suppressed": UNSUBSCRIBED_DURING}
        skipped = db.session.execute(
            select(CampaignRecipient.subscriber_id, CampaignRecipient.reason, CampaignRecipient.unsubscribed_at).where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "suppressed"
            )
        ).all()
        assert {s.subscriber_id for s in skipped} == set(unsubscribed)
        assert {s.reason for s in skipped} == {sending.UNSUBSCRIBED_DURING_SEND}
        assert all(s.unsubscribed_at is not None for s in skipped)

    value, maximum, polling = progress(manager, campaign_id)
    assert (value, maximum, polling) == (SUBSCRIBERS, SUBSCRIBERS, False)  # done: the bar stops polling
    page = manager.get(f"/s/alpha/newsletter/campaigns/{campaign_id}")
    assert b"4,950" in page.data and b"unsubscribed since the send" in page.data
    return timing


def db_station_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(Station.id).where(Station.slug == "alpha"))


def test_through_the_batch_jobs_fed_from_the_outbox(app, world, as_role, capsys):
    timing = send_5000_and_unsubscribe_50_during_the_send(app, as_role("manager"), run_batches, "outbox, inline")
    with capsys.disabled():
        print("\n" + timing)


@pytest.mark.redis
@pytest.mark.usefixtures("redis_server")
def test_through_an_rq_worker_on_redis(app, world, make_app, capsys):
    redis_app = make_app(REDIS_URL=TEST_REDIS_URL)
    manager = new_client(redis_app, world.users["manager"].email)
    timing = send_5000_and_unsubscribe_50_during_the_send(redis_app, manager, run_with_rq_worker, "RQ worker, Redis")
    with capsys.disabled():
        print("\n" + timing)
