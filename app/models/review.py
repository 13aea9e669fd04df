"""Reviews left by customers after their party, and the photos with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime


class Review(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("booking_id"),  # one review per party (editable by its link)
        Index("ix_reviews_station_created", "station_id", "created_at"),
        Index("ix_reviews_station_featured", "station_id", "featured"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    chef_id: Mapped[int | None] = mapped_column(ForeignKey("chefs.id", ondelete="SET NULL"), index=True)
    rating: Mapped[int] = mapped_column(Integer)  # 1-5
    text: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(120), default="")  # as shown publicly
    # [{"path": "reviews/<id>/<uuid>.jpg", "content_type": "image/jpeg", "bytes": 123}]
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sentiment: Mapped[str | None] = mapped_column(String(16))  # positive | neutral | negative | angry
    source: Mapped[str] = mapped_column(String(16), default="link")  # link | api | staff
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text)  # our public answer, once approved
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))

    booking = relationship("Booking")
    customer = relationship("Customer")
    chef = relationship("Chef")
