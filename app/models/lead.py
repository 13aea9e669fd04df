"""Leads: quote requests and first contacts that may become bookings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, utcnow

LEAD_STAGES = ("new", "contacted", "quoted", "won", "lost", "nurturing")
OPEN_LEAD_STAGES = ("new", "contacted", "quoted", "nurturing")
HOT_OPEN_SQL = "merged_into_id IS NULL AND temperature = 'hot' AND stage IN ('new', 'contacted', 'quoted', 'nurturing')"
TEMPERATURES = ("hot", "warm", "cold")


class Lead(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_station_stage", "station_id", "stage", "created_at"),
        Index("ix_leads_station_created", "station_id", "created_at"),  # the funnel by period
        # The board: each stage's best scores (read backwards) and the counts per stage,
        # over the leads not merged away.
        Index(
            "ix_leads_board",
            "station_id",
            "stage",
            "score",
            "created_at",
            "id",
            postgresql_where=db.text("merged_into_id IS NULL"),
            sqlite_where=db.text("merged_into_id IS NULL"),
        ),
        # The dashboard's "hot leads": open, hot, not merged away (a small share of them all).
        Index(
            "ix_leads_hot_open",
            "station_id",
            postgresql_where=db.text(HOT_OPEN_SQL),
            sqlite_where=db.text(HOT_OPEN_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(32))  # quote_request | contact_form | chat | ...
    stage: Mapped[str] = mapped_column(String(16), default="new")
    message: Mapped[str] = mapped_column(Text, default="")
    event_date: Mapped[date | None] = mapped_column(Date)
    guests: Mapped[int | None] = mapped_column(Integer)
    zip_code: Mapped[str | None] = mapped_column(String(10))
    # Raw attribution as received: utm_*, referrer, landing page, qr code.
    first_touch: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_touch: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    quote: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    lost_reason: Mapped[str] = mapped_column(String(255), default="")
    stage_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # 0-100 with the reasons shown to staff (source, completeness, date, party size, response).
    score: Mapped[int] = mapped_column(Integer, default=0)
    score_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    temperature: Mapped[str] = mapped_column(String(8), default="cold")  # hot | warm | cold
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_codes.id", ondelete="SET NULL"), index=True)
    # A merged duplicate points at the lead that absorbed it.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))

    customer = relationship("Customer")
    owner = relationship("User", foreign_keys=[owner_id])


class LeadEvent(StationScoped, db.Model):
    """A lead's timeline: stage changes, notes, quotes sent, merges, conversion."""

    __tablename__ = "lead_events"
    __table_args__ = (Index("ix_lead_events_lead", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))  # created | stage | note | quote_sent | merged | converted
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User")


class Task(StationScoped, TimestampMixin, db.Model):
    """A follow-up with a due time and an owner: on a lead, a review, or on its own."""

    __tablename__ = "tasks"
    __table_args__ = (
        # The dashboard's "overdue" and each person's list: open tasks by due time.
        Index("ix_tasks_open_due", "station_id", "done_at", "due_at"),
        # One automatic task of a kind per subject (a retried job adds none).
        Index(
            "uq_tasks_auto_key",
            "auto_key",
            unique=True,
            postgresql_where=db.text("auto_key IS NOT NULL"),
            sqlite_where=db.text("auto_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24), default="follow_up")  # first_response | follow_up | review
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    auto_key: Mapped[str | None] = mapped_column(String(80))  # e.g. "lead:12:first_response"

    owner = relationship("User", foreign_keys=[owner_id])
    lead = relationship("Lead")
