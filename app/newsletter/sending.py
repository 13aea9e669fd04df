"""Sending a campaign: recipients written once, sent in batches through the delivery layer.

1. `start()`: draft/scheduled -> sending with one guarded UPDATE; the recipients are
   materialised with one INSERT ... SELECT from the segment (ON CONFLICT DO NOTHING, so a
   second start writes nothing), all `queued`; the audience size is fixed in `total`, and
   the first batch job is emitted.
2. `send_batch()` (the job `newsletter.send_batch`, notifications queue) hands up to
   NEWSLETTER_BATCH_SIZE (200) due recipients to app.delivery, which claims them 50 at a
   time with a lease, re-checks each one just before sending (unsubscribed since the start,
   SMS STOP on that number: not sent, with the reason), sends each at most once and records
   each outcome as soon as it is known. It then emits the next batch while any recipient is
   queued. SMS in the station's quiet hours are held (queued until they end): the campaign's
   `scheduled_at` is set to the end and `newsletter.start_due_campaigns` resumes it then.
3. A worker killed mid-batch leaves its claimed recipients `sending`; once their lease
   expires the delivery sweep takes them over (same idempotency key: one message each).
   The campaign is marked sent when no recipient is queued or sending, by whichever worker
   finishes last. Its counts are always read from the recipients' states (`campaigns.stats`),
   so they are exact whatever died when.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, literal, select, update

from app.delivery import engine, machine
from app.delivery.backends import backend_for
from app.delivery.engine import DEFERRED, Plan
from app.delivery.outgoing import Outgoing
from app.extensions import db, upsert_insert
from app.jobs.outbox import emit
from app.models.base import utcnow
from app.models.customer import Customer
from app.models.delivery import QUEUED, SENDING
from app.models.newsletter import Campaign, CampaignRecipient, Subscriber
from app.models.station import Station
from app.newsletter import campaigns, links
from app.newsletter.subscriptions import unsubscribe_token
from app.notifications.policy import next_quiet_hours, quiet_hours_end, sms_stopped
from app.web.urls import public_url

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
UNSUBSCRIBED_DURING_SEND = "unsubscribed during the send"


def batch_size() -> int:
    return int(current_app.config.get("NEWSLETTER_BATCH_SIZE") or DEFAULT_BATCH_SIZE)


def stalled_after() -> timedelta:
    """A sending campaign with no progress for this long lost its batch chain (a killed
    worker): it is resumed. Every chunk of 50 is progress, so three leases is plenty."""
    return 3 * machine.lease()


def batch_key(campaign_id: int, step: str) -> str:
    return f"newsletter.send_batch:{campaign_id}:{step}"


# -- start ----------------------------------------------------------------------------------


def start(campaign: Campaign, *, now: datetime | None = None, from_statuses: tuple[str, ...] | None = None) -> int:
    """Start sending now (flushes; the caller commits). Returns the number of recipients.

    `from_statuses`: the states it may start from (the scheduler passes ("scheduled",), so a
    campaign cancelled back to draft after the scheduler picked it is not sent).
    """
    campaigns.ready_to_send(campaign)
    now = now or utcnow()
    moved = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status.in_(from_statuses or campaigns.EDITABLE))
        .values(status="sending", started_at=now, scheduled_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return 0  # started by someone else in the meantime
    db.session.refresh(campaign)
    audience = campaigns.audience(campaign).add_columns(literal(campaign.id), literal(QUEUED), literal(0))
    statement = (
        upsert_insert(CampaignRecipient)
        .from_select(["subscriber_id", "campaign_id", "status", "attempts"], audience)
        .on_conflict_do_nothing(index_elements=["campaign_id", "subscriber_id"])
    )
    db.session.execute(statement)
    total = db.session.scalar(select(func.count()).where(CampaignRecipient.campaign_id == campaign.id))
    campaign.total = total
    links.ensure_links(campaign)
    if total:
        emit(
            "newsletter.send_batch",
            key=batch_key(campaign.id, "start"),
            station_id=campaign.station_id,
            campaign_id=campaign.id,
        )
    else:
        campaign.status, campaign.finished_at = "sent", now
    db.session.flush()
    return total


# -- what each recipient gets ---------------------------------------------------------------


def _stopped_phones(station_id: int, phones: set[str]) -> set[str]:
    """Numbers whose latest SMS STOP (on any of the station's customers) stands."""
    if not phones:
        return set()
    customers = db.session.scalars(
        select(Customer).where(Customer.station_id == station_id, Customer.phone.in_(phones))
    ).all()
    return {c.phone for c in customers if sms_stopped(c)}


def _skip_reason(campaign: Campaign, subscriber: Subscriber | None, stopped: set[str]) -> str | None:
    if subscriber is None:
        return "subscriber deleted"
    if campaign.channel == "email":
        return UNSUBSCRIBED_DURING_SEND if subscriber.email_status != "subscribed" or not subscriber.email else None
    if subscriber.sms_status != "subscribed" or not subscriber.phone:
        return UNSUBSCRIBED_DURING_SEND
    if subscriber.phone in stopped:
        return "replied STOP by SMS"
    return None


def _outgoing(campaign: Campaign, station: Station, subscriber: Subscriber, recipient_id: int, tokens, key) -> Outgoing:
    if campaign.channel == "sms":
        message = campaigns.render(campaign, station, subscriber.name, tokens=tokens, recipient_id=recipient_id)
        return Outgoing(
            channel="sms",
            to=subscriber.phone,
            idempotency_key=key,
            body_text=message.text,
            from_number=station.sms_number,
            status_callback=public_url("delivery_webhooks.twilio_status"),
        )
    unsubscribe_url = public_url("newsletter_public.unsubscribe", token=unsubscribe_token(subscriber.id))
    message = campaigns.render(
        campaign, station, subscriber.name, tokens=tokens, recipient_id=recipient_id, unsubscribe_url=unsubscribe_url
    )
    return Outgoing(
        channel="email",
        to=subscriber.email,
        idempotency_key=key,
        subject=message.subject,
        body_text=message.text,
        body_html=message.html,
        from_name=station.name,
        reply_to=station.email or None,
        # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL, no page shown.
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


class RecipientSender(engine.Sender):
    name = "newsletter"
    model = CampaignRecipient
    has_channel_column = False  # the channel is the campaign's

    def scope(self, now: datetime) -> list:
        # Taken over from dead workers only: queued recipients are the batch jobs' to send.
        running = exists().where(Campaign.id == CampaignRecipient.campaign_id, Campaign.status == "sending")
        return [CampaignRecipient.status == SENDING, running]

    def plan(self, rows: list[CampaignRecipient], now: datetime) -> dict[int, Plan]:
        plans: dict[int, Plan] = {}
        for campaign_id in sorted({row.campaign_id for row in rows}):
            plans.update(self._plan_campaign(campaign_id, [r for r in rows if r.campaign_id == campaign_id], now))
        return plans

    def _plan_campaign(self, campaign_id: int, rows: list[CampaignRecipient], now: datetime) -> dict[int, Plan]:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None or campaign.status != "sending":
            return {row.id: Plan.suppress(campaigns.CANCELLED) for row in rows}
        station = db.session.get(Station, campaign.station_id)
        if campaign.channel == "sms":
            until = quiet_hours_end(station, now)
            if until is not None:
                return {row.id: Plan.defer(until, "deferred: SMS quiet hours") for row in rows}
        subscribers = {
            s.id: s
            for s in db.session.scalars(select(Subscriber).where(Subscriber.id.in_([r.subscriber_id for r in rows])))
        }
        stopped = set()
        if campaign.channel == "sms":
            stopped = _stopped_phones(campaign.station_id, {s.phone for s in subscribers.values() if s.phone})
        tokens = dict(links.ensure_links(campaign))
        backend = backend_for(campaign.channel)
        # A long SMS chunk must not run into quiet hours: what is left when they begin waits.
        hold = next_quiet_hours(station, now) if campaign.channel == "sms" else None
        plans = {}
        for row in rows:
            subscriber = subscribers.get(row.subscriber_id)
            reason = _skip_reason(campaign, subscriber, stopped)
            if reason:
                plans[row.id] = Plan.suppress(reason)
            else:
                outgoing = _outgoing(campaign, station, subscriber, row.id, tokens, self.idempotency_key(row.id))
                plans[row.id] = Plan.send(outgoing, backend, hold=hold)
        return plans

    def after_batch(self, ids: list[int]) -> None:
        campaign_ids = db.session.scalars(
            select(CampaignRecipient.campaign_id).where(CampaignRecipient.id.in_(ids)).distinct()
        ).all()
        for campaign_id in campaign_ids:
            if not finish_if_done(campaign_id):
                _heartbeat(campaign_id)


SENDER = engine.register(RecipientSender())


# -- one batch ------------------------------------------------------------------------------


def _due(campaign_id: int, now: datetime, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(CampaignRecipient.id)
            .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == QUEUED)
            .where((CampaignRecipient.not_before.is_(None)) | (CampaignRecipient.not_before <= now))
            .order_by(CampaignRecipient.id)
            .limit(limit)
        )
    )


def send_batch(campaign_id: int, *, now: datetime | None = None, chain: bool = True) -> dict[str, int]:
    """Send one batch of the campaign (see the module docstring); outcome counts.

    `chain=False`: emit no next batch (the caller loops, see jobs.send_batch).
    """
    now = now or utcnow()
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != "sending":
        return {}
    station = db.session.get(Station, campaign.station_id)
    if campaign.channel == "sms" and (until := quiet_hours_end(station, now)) is not None:
        _heartbeat(campaign_id, scheduled_at=until)  # resumed by newsletter.start_due_campaigns
        log.info("campaign %s: SMS quiet hours at %s, resuming at %s", campaign_id, station.slug, until.isoformat())
        return {DEFERRED: 1}
    ids = _due(campaign_id, now, batch_size())
    db.session.commit()
    outcome = engine.deliver(SENDER, ids, now=now)
    _next(campaign_id, ids, chain=chain)
    return dict(outcome)


def has_due(campaign_id: int) -> bool:
    return bool(_due(campaign_id, utcnow(), 1))


def _heartbeat(campaign_id: int, **values) -> None:
    """The campaign made progress (a campaign without any for `stalled_after()` is resumed)."""
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "sending")
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _next(campaign_id: int, ids: list[int], *, chain: bool) -> None:
    """The next batch now, or, when every queued recipient waits (a provider's backoff, quiet
    hours), a resume time for `newsletter.start_due_campaigns`."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign.status != "sending":
        return
    if has_due(campaign_id):
        if chain and ids:
            # The key names the batch this one ended with: a retried batch emits no second chain.
            emit(
                "newsletter.send_batch",
                key=batch_key(campaign_id, f"after-{ids[-1]}"),
                station_id=campaign.station_id,
                campaign_id=campaign_id,
            )
            db.session.commit()
        return
    resume_at = db.session.scalar(
        select(func.min(CampaignRecipient.not_before)).where(
            CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == QUEUED
        )
    )
    if resume_at is not None:
        _heartbeat(campaign_id, scheduled_at=resume_at)
    db.session.commit()


def finish_if_done(campaign_id: int) -> bool:
    """Mark the campaign sent once no recipient is queued or sending (guarded: once)."""
    unfinished = db.session.scalar(
        select(CampaignRecipient.id)
        .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status.in_((QUEUED, SENDING)))
        .limit(1)
    )
    if unfinished is not None:
        db.session.commit()
        return False
    moved = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "sending")
        .values(status="sent", finished_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return moved.rowcount == 1
