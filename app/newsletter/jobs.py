"""Newsletter jobs: confirmation and test emails, campaign batches, and the periodic job that
starts scheduled campaigns and resumes sends deferred by quiet hours (or stalled)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from sqlalchemy import select, update

from app.errors import DomainError
from app.extensions import db
from app.jobs.outbox import emit
from app.jobs.queues import redis_connection
from app.jobs.registry import job
from app.models.base import utcnow
from app.models.newsletter import Campaign, Subscriber
from app.models.station import Station
from app.newsletter import sending
from app.newsletter.subscriptions import confirm_token, signup_text
from app.notifications import compose
from app.notifications.sending import Spec, send_all, store
from app.web.urls import public_url

log = logging.getLogger(__name__)


@job("newsletter.send_confirmation", queue="notifications")
def send_confirmation(subscriber_id: int, consent_id: int) -> dict[str, int]:
    """The double opt-in email: one Notification row per sign-up (its key), sent at most once."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.email_status != "pending" or not subscriber.email:
        return {}
    station = db.session.get(Station, subscriber.station_id)
    confirm_url = public_url("newsletter_public.confirm", token=confirm_token(subscriber))
    context = {
        "station": station,
        "subscriber": subscriber,
        "confirm_url": confirm_url,
        "consent_text": signup_text(subscriber),
    }

    def render(_spec: Spec) -> compose.Rendered:
        return compose.Rendered(
            subject=f"Confirm your subscription to {station.name}"[:255],
            body_text=compose._render_template("newsletter/email/confirm.txt", context).strip() + "\n",
            body_html=compose._render_template("newsletter/email/confirm.html", context),
        )

    spec = Spec(
        key=f"newsletter.confirm:{consent_id}:subscriber",
        kind="newsletter_confirm",
        channel="email",
        recipient=subscriber.email,
    )
    ids = store([spec], station_id=station.id, booking_id=None, render=render)
    return send_all(ids)


@job("newsletter.send_notifications", queue="notifications")
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Kept for outbox rows written before test sends used `notifications.send`."""
    return send_all(notification_ids)


@job("newsletter.send_batch", queue="notifications", timeout=900)
def send_batch(campaign_id: int) -> dict[str, int]:
    """One batch of a campaign; emits the next one until none is pending.

    Without Redis (jobs inline, in the web process) the batches run here one after the
    other instead: an emitted batch would be relayed inline from inside this one, a
    recursion as deep as the campaign is long.
    """
    if redis_connection() is not None:
        return sending.send_batch(campaign_id)
    total: Counter[str] = Counter()
    while True:
        outcome = sending.send_batch(campaign_id, chain=False)
        total.update(outcome)
        if not outcome or not sending.has_due(campaign_id):
            return dict(total)


@job("newsletter.start_due_campaigns", queue="periodic", retries=0)
def start_due_campaigns() -> dict[str, int]:
    """Start scheduled campaigns that are due; resume sends deferred by quiet hours or stalled."""
    return start_due()


def start_due(*, now: datetime | None = None) -> dict[str, int]:
    """Start scheduled campaigns whose time has come; resume deferred and stalled sends."""
    now = now or utcnow()
    started = resumed = 0
    due = db.session.scalars(
        select(Campaign.id).where(Campaign.status == "scheduled", Campaign.scheduled_at <= now).order_by(Campaign.id)
    ).all()
    for campaign_id in due:
        campaign = db.session.get(Campaign, campaign_id)
        try:
            started += bool(sending.start(campaign, now=now, from_statuses=("scheduled",)))
            db.session.commit()
        except DomainError as error:
            # Its segment was deleted since it was scheduled: back to draft for a person to fix
            # (only if it is still scheduled: someone may have pressed "Send now" meanwhile).
            db.session.rollback()
            db.session.execute(
                update(Campaign)
                .where(Campaign.id == campaign_id, Campaign.status == "scheduled")
                .values(status="draft", scheduled_at=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            log.warning("campaign %s could not start (%s): back to draft", campaign_id, error.message)
        except Exception:
            db.session.rollback()
            log.exception("campaign %s could not start", campaign_id)
    # Deferred by quiet hours and now past them, or sending with no progress for a while.
    waiting = db.session.execute(
        select(Campaign.id, Campaign.station_id, Campaign.scheduled_at).where(
            Campaign.status == "sending",
            ((Campaign.scheduled_at.is_not(None)) & (Campaign.scheduled_at <= now))
            | ((Campaign.scheduled_at.is_(None)) & (Campaign.updated_at < now - sending.stalled_after())),
        )
    ).all()
    for campaign_id, station_id, resume_at in waiting:
        cleared = db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == "sending")
            .values(scheduled_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if cleared.rowcount == 1:
            step = f"resume-{int((resume_at or now).timestamp())}"
            emit(
                "newsletter.send_batch",
                key=sending.batch_key(campaign_id, step),
                station_id=station_id,
                campaign_id=campaign_id,
            )
            resumed += 1
        db.session.commit()
    return {"started": started, "resumed": resumed}
