"""The transactional outbox and the notifications it leads to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.delivery import DeliveryState, unfinished_index


class OutboxMessage(db.Model):
    """A job to run, written in the same transaction as the change that calls for it.

    The relay enqueues undispatched rows after commit (and on a schedule, for anything
    left behind when Redis was down); `key` makes emitting idempotent.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("key"),
        # The relay's scan: undispatched rows, oldest first.
        Index(
            "ix_outbox_pending",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    job: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Notification(DeliveryState, db.Model):
    """One message to one recipient on one channel; `key` makes writing it idempotent.

    The key is (booking or subject, kind, channel, role): a second run, a retry or a worker
    killed mid-job finds the row and does not write it again; its delivery state (the
    DeliveryState columns, app.delivery) makes sending it at most once. Account email
    (password reset, invitation) are rows of purpose "account" with a random key.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_notifications_station_created", "station_id", "created_at"),
        Index("ix_notifications_provider_id", "provider_id"),
        unfinished_index("notifications"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    purpose: Mapped[str] = mapped_column(String(16), default="transactional")  # marketing | account
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
