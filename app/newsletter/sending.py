"""Sending a campaign: recipients written once, sent in batches, each at most once.

1. `start()`: draft/scheduled -> sending with one guarded UPDATE; the recipients are
   materialised with one INSERT ... SELECT from the segment (ON CONFLICT DO NOTHING,
   so a second start writes nothing) and the first batch job is emitted.
2. `send_batch()` (the job `newsletter.send_batch`, notifications queue):
   - SMS during the station's quiet hours: nothing is sent; the campaign's
     `scheduled_at` is set to the end of quiet hours and the periodic job
     `newsletter.start_due_campaigns` (jobs.py) resumes it then; a batch that runs
     into the start of quiet hours stops there and gives its unsent claims back;
   - claims up to NEWSLETTER_BATCH_SIZE (200) pending recipients, FLUSH_EVERY (50) at a time
     (FOR UPDATE SKIP LOCKED, then pending -> sending, committed: concurrent batches never
     share a recipient);
   - re-checks each one now: unsubscribed since the start -> skipped "unsubscribed
     during the send"; SMS STOP (the subscriber's or any customer's of that number) ->
     skipped;
   - calls the provider with no transaction open, then records the outcomes with
     guarded UPDATEs (sending -> sent/failed/skipped), FLUSH_EVERY per commit, so a
     worker killed mid-batch leaves at most that many in 'sending' (never resent);
   - adds the batch's outcomes to the campaign's counters (the progress bar reads
     them), and emits the next batch while any recipient is pending; the last batch
     marks the campaign sent and recounts the counters from the rows.
   A transient provider failure gives the unsent claims back (pending) and raises
   TransientError: the job is retried with backoff, and nothing is sent twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, func, literal, select, update

from app.extensions import db, upsert_insert
from app.jobs.outbox import emit
from app.jobs.registry import TransientError
from app.models.base import utcnow
from app.models.customer import Customer
from app.models.newsletter import Campaign, CampaignRecipient, Subscriber
from app.models.station import Station
from app.newsletter import campaigns, links
from app.newsletter.subscriptions import unsubscribe_token
from app.notifications import backends, compose
from app.notifications.policy import quiet_hours_end, sms_stopped

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
FLUSH_EVERY = 50  # outcomes written per commit (see Outcomes)
STALLED_AFTER = timedelta(minutes=15)  # a sending campaign with no progress this long is resumed
UNSUBSCRIBED_DURING_SEND = "unsubscribed during the send"


def batch_size() -> int:
    return int(current_app.config.get("NEWSLETTER_BATCH_SIZE") or DEFAULT_BATCH_SIZE)


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
        .values(status="sending", started_at=now, scheduled_at=None)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return 0  # started by someone else in the meantime
    db.session.refresh(campaign)
    audience = campaigns.audience(campaign).add_columns(literal(campaign.id), literal("pending"))
    statement = _insert_ignoring_duplicates().from_select(["subscriber_id", "campaign_id", "status"], audience)
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


def _insert_ignoring_duplicates():
    return upsert_insert(CampaignRecipient).on_conflict_do_nothing(index_elements=["campaign_id", "subscriber_id"])


# -- one batch ------------------------------------------------------------------------------


def _claim(campaign_id: int, limit: int) -> list[tuple[int, int]]:
    """Up to `limit` pending recipients, now 'sending' and committed: [(id, subscriber_id)]."""
    candidates = (
        select(CampaignRecipient.id)
        .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "pending")
        .order_by(CampaignRecipient.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.commit()
        return []
    claimed = db.session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id.in_(ids), CampaignRecipient.status == "pending")
        .values(status="sending")
        .returning(CampaignRecipient.id, CampaignRecipient.subscriber_id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted((row.id, row.subscriber_id) for row in claimed)


class Outcomes:
    """The batch's outcomes, written FLUSH_EVERY at a time (one executemany, one commit).

    Why not a commit per send: a commit waits for the disk (3-12 ms), longer than handing
    a message to a local SMTP relay. The price: a worker killed mid-batch leaves up to
    FLUSH_EVERY recipients that did go out in 'sending' (outcome unknown), never resent.
    Each UPDATE is guarded on 'sending', like the claim.
    """

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.counts: Counter[str] = Counter()

    def add(self, recipient_id: int, status: str, *, reason: str | None = None, provider_id: str | None = None) -> None:
        sent_at = utcnow() if status == "sent" else None
        row = {
            "rid": recipient_id,
            "to_status": status,
            "to_reason": reason,
            "to_provider": provider_id,
            "to_sent": sent_at,
        }
        self.rows.append(row)
        self.counts["unknown" if status == "sending" else status] += 1
        if len(self.rows) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        table = CampaignRecipient.__table__
        statement = (
            table.update()
            .where(table.c.id == bindparam("rid"), table.c.status == "sending")
            .values(
                status=bindparam("to_status"),
                reason=bindparam("to_reason"),
                provider_id=bindparam("to_provider"),
                sent_at=bindparam("to_sent"),
            )
        )
        db.session.execute(statement, self.rows)
        db.session.commit()
        self.rows = []


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


def _outgoing(
    campaign: Campaign, station: Station, subscriber: Subscriber, recipient_id: int, tokens
) -> backends.Outgoing:
    if campaign.channel == "sms":
        message = campaigns.render(campaign, station, subscriber.name, tokens=tokens, recipient_id=recipient_id)
        return backends.Outgoing(
            channel="sms", to=subscriber.phone, body_text=message.text, from_number=station.sms_number
        )
    unsubscribe_url = compose.public_url("newsletter_public.unsubscribe", token=unsubscribe_token(subscriber.id))
    message = campaigns.render(
        campaign, station, subscriber.name, tokens=tokens, recipient_id=recipient_id, unsubscribe_url=unsubscribe_url
    )
    return backends.Outgoing(
        channel="email",
        to=subscriber.email,
        subject=message.subject,
        body_text=message.text,
        body_html=message.html,
        from_name=station.name,
        reply_to=station.email or None,
        # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL, no page shown.
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _defer_for_quiet_hours(campaign: Campaign, station: Station, now: datetime) -> datetime | None:
    if campaign.channel != "sms":
        return None
    until = quiet_hours_end(station, now)
    if until is not None:
        campaign.scheduled_at = until  # resumed by newsletter.start_due_campaigns
        db.session.commit()
    return until


def next_quiet_hours_start(station: Station, now: datetime) -> datetime | None:
    """When the station's next SMS quiet hours begin (UTC); None when it has none."""
    settings = station.settings
    if settings.quiet_hours_start == settings.quiet_hours_end:
        return None
    hours, minutes = (int(part) for part in settings.quiet_hours_start.split(":"))
    local = now.astimezone(ZoneInfo(station.timezone))
    start = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if start <= local:
        start += timedelta(days=1)
    return start.astimezone(UTC)


def send_batch(campaign_id: int, *, now: datetime | None = None, chain: bool = True) -> dict[str, int]:
    """Send one batch of the campaign (see the module docstring); outcome counts.

    `chain=False`: emit no next batch (the caller loops, see jobs.send_batch).
    """
    now = now or utcnow()
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != "sending":
        return {}
    station = db.session.get(Station, campaign.station_id)
    until = _defer_for_quiet_hours(campaign, station, now)
    if until is not None:
        log.info("campaign %s: SMS quiet hours at %s, resuming at %s", campaign_id, station.slug, until.isoformat())
        return {"deferred": 1}

    # Claimed FLUSH_EVERY at a time: a worker killed mid-batch strands at most one chunk in
    # 'sending' (never resent), not the whole batch.
    claimed: list[tuple[int, int]] = []
    outcome: Counter[str] = Counter()
    while len(claimed) < batch_size():
        chunk = _claim(campaign_id, min(FLUSH_EVERY, batch_size() - len(claimed)))
        if not chunk:
            break
        claimed += chunk
        outcome += _send_claimed(db.session.get(Campaign, campaign_id), station, chunk)
        if outcome["deferred"] or db.session.get(Campaign, campaign_id).status != "sending":
            break  # quiet hours began, or the campaign was cancelled meanwhile
    _count(campaign_id, outcome)
    _next_or_finish(campaign_id, claimed, chain=chain)
    return dict(outcome)


def _send_claimed(campaign: Campaign, station: Station, claimed: list[tuple[int, int]]) -> Counter[str]:
    """Send one claimed chunk; commits its outcomes."""
    subscribers = {
        s.id: s for s in db.session.scalars(select(Subscriber).where(Subscriber.id.in_([sid for _, sid in claimed])))
    }
    stopped = set()
    if campaign.channel == "sms":
        stopped = _stopped_phones(campaign.station_id, {s.phone for s in subscribers.values() if s.phone})
    tokens = dict(links.ensure_links(campaign))
    # Everything the sends need, read now: the provider calls run with no transaction open.
    work: list[tuple[int, backends.Outgoing | None, str | None]] = []
    for recipient_id, subscriber_id in claimed:
        subscriber = subscribers.get(subscriber_id)
        reason = _skip_reason(campaign, subscriber, stopped)
        outgoing = None if reason else _outgoing(campaign, station, subscriber, recipient_id, tokens)
        work.append((recipient_id, outgoing, reason))
    # A long SMS batch must not run into quiet hours: it stops at their start.
    quiet_from = next_quiet_hours_start(station, utcnow()) if campaign.channel == "sms" else None
    campaign_id = campaign.id
    db.session.commit()

    backend = backends.backend_for(campaign.channel)
    outcomes = Outcomes()
    for index, (recipient_id, outgoing, reason) in enumerate(work):
        if quiet_from is not None and utcnow() >= quiet_from:
            outcomes.flush()
            _release([rid for rid, *_ in work[index:]], "deferred: quiet hours")
            _defer_for_quiet_hours(db.session.get(Campaign, campaign_id), station, utcnow())
            outcomes.counts["deferred"] += 1
            break
        if outgoing is None:
            outcomes.add(recipient_id, "skipped", reason=reason)
            continue
        try:
            provider_id = backend.send(outgoing)
        except backends.TransientSendError as exc:
            # Not handed over: this one and the rest of the batch go back to pending.
            outcomes.flush()
            _release([rid for rid, *_ in work[index:]], f"retrying: {exc}")
            _count(campaign_id, outcomes.counts)
            raise TransientError(f"campaign {campaign_id}: {exc}") from exc
        except backends.PermanentSendError as exc:
            status = "skipped" if exc.skip_reason else "failed"
            outcomes.add(recipient_id, status, reason=(exc.skip_reason or str(exc))[:200])
            continue
        except backends.UncertainSendError as exc:
            # May have gone out: left in 'sending' (outcome unknown), never sent again.
            outcomes.add(recipient_id, "sending", reason=f"outcome unknown: {exc}"[:200])
            continue
        except Exception:
            # A bug, not a provider answer: record what is known, leave this one in 'sending'.
            db.session.rollback()
            outcomes.flush()
            _release([rid for rid, *_ in work[index + 1 :]], "released after an error in the batch")
            _count(campaign_id, outcomes.counts)
            raise
        outcomes.add(recipient_id, "sent", provider_id=provider_id[:255])
    outcomes.flush()
    return outcomes.counts


def _release(recipient_ids: list[int], reason: str) -> None:
    db.session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id.in_(recipient_ids), CampaignRecipient.status == "sending")
        .values(status="pending", reason=reason[:200])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _count(campaign_id: int, outcome: Counter[str]) -> None:
    if not any(outcome[k] for k in ("sent", "failed", "skipped")):
        return
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(
            sent=Campaign.sent + outcome["sent"],
            failed=Campaign.failed + outcome["failed"],
            skipped=Campaign.skipped + outcome["skipped"],
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _next_or_finish(campaign_id: int, claimed: list[tuple[int, int]], *, chain: bool) -> None:
    pending = db.session.scalar(
        select(CampaignRecipient.id)
        .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "pending")
        .limit(1)
    )
    campaign = db.session.get(Campaign, campaign_id)
    if pending is not None:
        if chain and campaign.status == "sending" and campaign.scheduled_at is None:
            # The key names the batch this one ended with: a retried batch emits no second chain.
            step = f"after-{claimed[-1][0]}" if claimed else f"pending-{pending}"
            emit(
                "newsletter.send_batch",
                key=batch_key(campaign_id, step),
                station_id=campaign.station_id,
                campaign_id=campaign_id,
            )
            db.session.commit()
        return
    counts = dict(
        db.session.execute(
            select(CampaignRecipient.status, func.count())
            .where(CampaignRecipient.campaign_id == campaign_id)
            .group_by(CampaignRecipient.status)
        ).all()
    )
    # Recounted from the rows: exact even if a batch died between its sends and its count.
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "sending")
        .values(
            status="sent",
            finished_at=utcnow(),
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            skipped=counts.get("skipped", 0),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
