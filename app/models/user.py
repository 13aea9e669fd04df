"""Users, their memberships of stations and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"
    CHEF = "chef"


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the login cookie; rotating it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_flag

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_owner(self) -> bool:
        return any(m.role == Role.OWNER for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


# Emails are stored lower-cased; the functional index keeps that true at the database.
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class Membership(TimestampMixin, db.Model):
    """A user's role at a station. Owner memberships have no station: they span all."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "station_id"),
        CheckConstraint(
            "(role = 'owner' AND station_id IS NULL) OR (role <> 'owner' AND station_id IS NOT NULL)",
            name="owner_has_no_station",
        ),
        CheckConstraint("role IN ('owner', 'manager', 'staff', 'chef')", name="role_known"),
        # NULL station ids are distinct in a UNIQUE: this keeps one owner row per user.
        Index(
            "uq_memberships_owner_once",
            "user_id",
            unique=True,
            postgresql_where=text("role = 'owner'"),
            sqlite_where=text("role = 'owner'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="memberships")
    station = relationship("Station", lazy="joined")
