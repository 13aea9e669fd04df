"""QR codes printed on flyers, trucks and tables: each scan is recorded, then redirected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, utcnow


class QrCode(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "qr_codes"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # in the URL: /q/<code>
    name: Mapped[str] = mapped_column(String(120))
    campaign: Mapped[str] = mapped_column(String(120), default="")  # utm_campaign
    target_url: Mapped[str] = mapped_column(String(2000))
    # utm_source / utm_medium / utm_content added to the target on redirect.
    utm: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scans: Mapped[int] = mapped_column(Integer, default=0)


class QrScan(db.Model):
    __tablename__ = "qr_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    qr_code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id", ondelete="CASCADE"), index=True)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip_hash: Mapped[str | None] = mapped_column(String(64))  # salted: counts repeat scans, stores no IP
