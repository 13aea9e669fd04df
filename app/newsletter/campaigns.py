"""Campaigns: compose, render for one subscriber, preview, test send, schedule, stats.

The body is plain text with one variable, `{first_name}` (replaced literally: no
format strings, so a stray brace in the text is just a brace), and links. Email gets
an HTML alternative built from the text, a footer with the unsubscribe link and the
one-click List-Unsubscribe headers; SMS gets "Reply STOP to opt out." when the body
does not say it already.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update

from app.customers.contact import normalise_email, normalise_phone
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.ids import parse_id
from app.jobs.outbox import emit
from app.models.base import utcnow
from app.models.delivery import FAILED, QUEUED, RECORDED, SENDING, SENT, SUPPRESSED
from app.models.newsletter import Campaign, CampaignLink, CampaignRecipient, LinkClick, Segment, Subscriber
from app.models.station import Station
from app.models.user import User
from app.newsletter import links, segments
from app.notifications import compose
from app.notifications.sending import Spec, store

EDITABLE = ("draft", "scheduled")
SMS_STOP_LINE = "Reply STOP to opt out."
SAMPLE_NAME = "Alex Sample"
CANCELLED = "the campaign was cancelled"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str | None


def first_name(name: str | None) -> str:
    """The first word of the name, letters only: a name typed on a public form must never
    become a link or markup in a campaign sent from the station."""
    word = (name or "").strip().split(" ")[0]
    return word if word and all(ch.isalpha() or ch in "'-" for ch in word) else "there"


# -- compose --------------------------------------------------------------------------------


def save(station_id: int, form: dict[str, str], *, actor: User | None, campaign: Campaign | None = None) -> Campaign:
    """Create or edit a draft (or a scheduled one) from the form's fields."""
    if campaign is not None and campaign.status not in EDITABLE:
        raise DomainError("A campaign that has started can no longer be edited.")
    name = (form.get("name") or "").strip()
    channel = form.get("channel") or (campaign.channel if campaign else "email")
    subject = (form.get("subject") or "").strip()
    body = (form.get("body") or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["name"] = "Give the campaign a name (up to 120 characters)."
    if channel not in segments.CHANNELS:
        errors["channel"] = "Choose email or SMS."
    if channel == "email" and not subject:
        errors["subject"] = "An email needs a subject."
    if len(subject) > 255:
        errors["subject"] = "Up to 255 characters."
    if not body:
        errors["body"] = "Write the message."
    elif channel == "sms" and len(body) > 1000:
        errors["body"] = "An SMS campaign is limited to 1,000 characters."
    elif len(body) > 50_000:
        errors["body"] = "Up to 50,000 characters."
    segment_id = None
    if form.get("segment_id"):
        segment_id = db.session.scalar(
            select(Segment.id).where(Segment.station_id == station_id, Segment.id == _int(form["segment_id"]))
        )
        if segment_id is None:
            errors["segment_id"] = "Choose one of the station's segments."
    if errors:
        raise ValidationFailed("Some fields need a correction.", fields=errors)
    if campaign is None:
        campaign = Campaign(station_id=station_id, status="draft", created_by_id=actor.id if actor else None)
        db.session.add(campaign)
    campaign.name, campaign.channel, campaign.body = name, channel, body
    campaign.subject = subject if channel == "email" else ""
    campaign.segment_id = segment_id
    db.session.flush()
    return campaign


def _int(value: str) -> int:
    parsed = parse_id(value)
    return parsed if parsed is not None else -1


def audience(campaign: Campaign):
    """select(Subscriber.id) of whom the campaign would reach now."""
    rules = campaign.segment.rules if campaign.segment else {}
    return segments.members(campaign.station_id, rules, campaign.channel)


# -- rendering ------------------------------------------------------------------------------


def tracked_url(token: str, signed_recipient: str | None) -> str:
    values = {"token": token}
    if signed_recipient:
        values["r"] = signed_recipient
    return compose.public_url("newsletter_public.click", **values)


def render(
    campaign: Campaign,
    station: Station,
    name: str | None,
    *,
    tokens: dict[str, str] | None = None,
    recipient_id: int | None = None,
    unsubscribe_url: str | None = None,
) -> Message:
    """The message one subscriber gets; links tracked when `tokens` is given."""
    text = campaign.body.replace("{first_name}", first_name(name))
    if tokens:
        text = links.rewrite(text, tokens, tracked_url, recipient_id)
    if campaign.channel == "sms":
        if "STOP" not in text.upper():
            text = f"{text} {SMS_STOP_LINE}"
        return Message("", text, None)
    subject = campaign.subject.replace("{first_name}", first_name(name))
    context = {"station": station, "text": text, "unsubscribe_url": unsubscribe_url, "subject": subject}
    env = current_app.jinja_env
    return Message(
        subject=subject[:255],
        text=env.get_template("newsletter/email/campaign.txt").render(context).strip() + "\n",
        html=env.get_template("newsletter/email/campaign.html").render(context),
    )


def sample_name(campaign: Campaign) -> str:
    """A real subscriber of the audience for the preview, else a made-up one."""
    name = db.session.scalar(
        select(Subscriber.name).where(Subscriber.id.in_(audience(campaign).limit(1).scalar_subquery()))
    )
    return name or SAMPLE_NAME


def preview(campaign: Campaign, station: Station) -> tuple[str, Message]:
    name = sample_name(campaign)
    return name, render(
        campaign, station, name, unsubscribe_url=compose.public_url("newsletter_public.unsubscribe", token="preview")
    )


def send_test(campaign: Campaign, station: Station, user: User, phone: str | None) -> str:
    """A test copy to the signed-in user's email (or a typed number for SMS); the address."""
    if campaign.channel == "email":
        to = normalise_email(user.email)
    else:
        try:
            to = normalise_phone(phone)
        except ValueError as exc:
            raise ValidationFailed(str(exc), fields={"phone": str(exc)}) from None
        if not to:
            raise ValidationFailed("Type the number to send the test to.", fields={"phone": "Required."})
    message = render(campaign, station, user.name)
    key = f"newsletter.test:{campaign.id}:{secrets.token_hex(8)}"
    spec = Spec(key=key, kind="newsletter_test", channel=campaign.channel, recipient=to)
    rendered = compose.Rendered(f"[Test] {message.subject}" if message.subject else "", message.text, message.html)
    # store() commits the row; the job sends it after the next commit, at most once.
    ids = store([spec], station_id=station.id, booking_id=None, render=lambda _spec: rendered)
    emit("notifications.send", key=f"{key}:job", station_id=station.id, notification_ids=ids)
    return to


# -- schedule -------------------------------------------------------------------------------


def parse_local(value: str, station: Station) -> datetime:
    """A datetime-local field (station time) as UTC."""
    try:
        naive = datetime.fromisoformat((value or "").strip())
        if not 2000 <= naive.year <= 2100:
            raise ValueError("out of range")  # near year 9999 the timezone arithmetic overflows
    except ValueError:
        raise ValidationFailed("Pick a date and time.", fields={"scheduled_at": "Pick a date and time."}) from None
    if naive.tzinfo is not None:
        return naive.astimezone(ZoneInfo("UTC"))
    return naive.replace(tzinfo=ZoneInfo(station.timezone)).astimezone(ZoneInfo("UTC"))


def ready_to_send(campaign: Campaign) -> None:
    if campaign.status not in EDITABLE:
        raise DomainError(f"The campaign is {campaign.status}.")
    if campaign.segment_id is None:
        raise ValidationFailed("Choose a segment first.", fields={"segment_id": "Required to send."})


def schedule(campaign: Campaign, when: datetime, *, now: datetime | None = None) -> None:
    ready_to_send(campaign)
    if when <= (now or utcnow()):
        raise ValidationFailed("Pick a time in the future.", fields={"scheduled_at": "In the past."})
    campaign.status, campaign.scheduled_at = "scheduled", when
    db.session.flush()


def cancel(campaign: Campaign) -> None:
    """Scheduled: back to draft. Sending: stop (recipients not yet sent stay unsent)."""
    if campaign.status == "scheduled":
        campaign.status, campaign.scheduled_at = "draft", None
    elif campaign.status == "sending":
        campaign.status, campaign.finished_at = "cancelled", utcnow()
        # Recipients not yet sent will not be (the ones in flight finish): counts stay exact.
        db.session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.status == QUEUED)
            .values(status=SUPPRESSED, reason=CANCELLED)
            .execution_options(synchronize_session=False)
        )
    else:
        raise DomainError(f"A {campaign.status} campaign cannot be cancelled.")
    db.session.flush()


# -- stats ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """A campaign's counts, read from its recipients' delivery states (exact, whatever died when)."""

    total: int
    sent: int
    recorded: int  # no provider configured: recorded, not sent
    failed: int
    suppressed: int  # not sent: unsubscribed during the send, STOP, cancelled
    queued: int
    sending: int
    unsubscribed: int = 0
    clicks: int = 0
    clickers: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.recorded + self.failed + self.suppressed


def counts_by_campaign(campaign_ids: list[int]) -> dict[int, Stats]:
    """Delivery counts of several campaigns in one query (the campaign list)."""
    by: dict[int, dict[str, int]] = {cid: {} for cid in campaign_ids}
    if campaign_ids:
        rows = db.session.execute(
            select(CampaignRecipient.campaign_id, CampaignRecipient.status, func.count())
            .where(CampaignRecipient.campaign_id.in_(campaign_ids))
            .group_by(CampaignRecipient.campaign_id, CampaignRecipient.status)
        ).all()
        for campaign_id, status, count in rows:
            by[campaign_id][status] = count
    return {
        cid: Stats(
            total=sum(counts.values()),
            sent=counts.get(SENT, 0),
            recorded=counts.get(RECORDED, 0),
            failed=counts.get(FAILED, 0),
            suppressed=counts.get(SUPPRESSED, 0),
            queued=counts.get(QUEUED, 0),
            sending=counts.get(SENDING, 0),
        )
        for cid, counts in by.items()
    }


def stats(campaign: Campaign) -> Stats:
    counts = counts_by_campaign([campaign.id])[campaign.id]
    unsubscribed = db.session.scalar(
        select(func.count()).where(
            CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.unsubscribed_at.is_not(None)
        )
    )
    clicks, clickers = db.session.execute(
        select(func.count(LinkClick.id), func.count(func.distinct(LinkClick.recipient_id)))
        .join(CampaignLink, CampaignLink.id == LinkClick.link_id)
        .where(CampaignLink.campaign_id == campaign.id)
    ).one()
    return Stats(
        total=counts.total,
        sent=counts.sent,
        recorded=counts.recorded,
        failed=counts.failed,
        suppressed=counts.suppressed,
        queued=counts.queued,
        sending=counts.sending,
        unsubscribed=unsubscribed or 0,
        clicks=clicks or 0,
        clickers=clickers or 0,
    )


def campaign_links(campaign: Campaign) -> list[CampaignLink]:
    return list(
        db.session.scalars(
            select(CampaignLink).where(CampaignLink.campaign_id == campaign.id).order_by(CampaignLink.clicks.desc())
        )
    )
