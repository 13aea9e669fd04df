"""Chefs, their weekly availability, time off, and station blackout dates."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin


class Chef(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "chefs"
    __table_args__ = (UniqueConstraint("station_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    # Set when the chef signs in (a user with the chef role at this station).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The secret of the chef's private calendar feed (None until the chef asks for one).
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    windows = relationship(
        "AvailabilityWindow",
        back_populates="chef",
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.starts)",
    )
    time_off = relationship(
        "TimeOff", back_populates="chef", cascade="all, delete-orphan", order_by="TimeOff.first_day.desc()"
    )


class AvailabilityWindow(StationScoped, db.Model):
    """Weekly: the chef works `weekday` (0 = Monday) from `starts` to `ends`, station-local."""

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chef_id: Mapped[int] = mapped_column(ForeignKey("chefs.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)

    chef = relationship("Chef", back_populates="windows")


class TimeOff(StationScoped, TimestampMixin, db.Model):
    """Days a chef is away; only approved time off lowers capacity."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("first_day <= last_day", name="days_ordered"),
        CheckConstraint("status IN ('requested', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chef_id: Mapped[int] = mapped_column(ForeignKey("chefs.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    chef = relationship("Chef", back_populates="time_off")


class Blackout(StationScoped, db.Model):
    """A day the station takes no bookings (holiday, maintenance)."""

    __tablename__ = "blackouts"
    __table_args__ = (UniqueConstraint("station_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(255), default="")
