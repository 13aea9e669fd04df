"""Leads: quote requests and first contacts that may become bookings."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin

LEAD_STAGES = ("new", "contacted", "quoted", "won", "lost", "nurturing")


class Lead(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_station_stage", "station_id", "stage", "created_at"),)

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

    customer = relationship("Customer")
