"""Newsletter: subscribers with their consent ledger, segments, campaigns and their sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, utcnow
from app.models.delivery import DeliveryState, unfinished_index

SUBSCRIPTION_STATES = ("pending", "subscribed", "unsubscribed")  # email: pending until confirmed
CAMPAIGN_STATES = ("draft", "scheduled", "sending", "sent", "cancelled")


class Subscriber(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "subscribers"
    __table_args__ = (
        Index(
            "uq_subscribers_station_email",
            "station_id",
            "email",
            unique=True,
            postgresql_where=text("email IS NOT NULL"),
            sqlite_where=text("email IS NOT NULL"),
        ),
        Index(
            "uq_subscribers_station_phone",
            "station_id",
            "phone",
            unique=True,
            postgresql_where=text("phone IS NOT NULL"),
            sqlite_where=text("phone IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(255))  # lower-cased
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    name: Mapped[str] = mapped_column(String(120), default="")
    # Email and SMS consent are separate; each has its own state and ledger rows.
    email_status: Mapped[str] = mapped_column(String(16), default="pending")
    sms_status: Mapped[str] = mapped_column(String(16), default="unsubscribed")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(32), default="api")


class SubscriptionConsent(StationScoped, db.Model):
    """One consent given or withdrawn by a subscriber: channel, text shown, time, source, IP."""

    __tablename__ = "subscription_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    granted: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))  # api.subscribe, email.confirm, email.unsubscribe, sms.stop ...
    ip_address: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Segment(StationScoped, TimestampMixin, db.Model):
    """Who a campaign goes to: rules over subscribers (past customers, lead stages, tags)."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # {"past_customers": bool, "lead_stages": [...], "tags": [...], "channel": "email"|"sms"}
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Campaign(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The audience fixed at the start; what happened to it is read from the recipients' states.
    total: Mapped[int] = mapped_column(Integer, default=0)

    segment = relationship("Segment")


class CampaignRecipient(DeliveryState, db.Model):
    """One subscriber of one campaign: written once (unique), sent at most once (app.delivery)."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subscriber_id"),
        Index("ix_campaign_recipients_pending", "campaign_id", "status", "id"),
        Index("ix_campaign_recipients_provider_id", "provider_id"),  # SMS delivery reports
        unfinished_index("campaign_recipients"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CampaignLink(db.Model):
    """A link of a campaign, rewritten to /c/<token> so clicks are counted."""

    __tablename__ = "campaign_links"
    __table_args__ = (UniqueConstraint("token"), UniqueConstraint("campaign_id", "url"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    token: Mapped[str] = mapped_column(String(32))
    clicks: Mapped[int] = mapped_column(Integer, default=0)


class LinkClick(db.Model):
    __tablename__ = "link_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("campaign_links.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_recipients.id", ondelete="SET NULL"))
    clicked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
