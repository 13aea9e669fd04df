"""Stations: one location with its chefs, service area and calendar."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin


class Station(TimestampMixin, db.Model):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    address: Mapped[str] = mapped_column(String(255), default="")
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where customers reach this station; inbound messages are routed by them.
    sms_number: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164, our Twilio number
    instagram_account_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # IG business account
    inbox_email: Mapped[str | None] = mapped_column(String(255), unique=True)  # lower-cased
    # The secret of the station's calendar feed for its managers (None until one is made).
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Only the owner's overrides are stored; app.stations.settings merges defaults.
    settings_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @property
    def settings(self):
        from app.stations.settings import StationSettings

        return StationSettings.from_overrides(self.settings_overrides or {})

    def __repr__(self) -> str:
        return f"<Station {self.slug}>"
