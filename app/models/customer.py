"""Customers of a station, matched by normalised email and E.164 phone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, trigram_index, utcnow


class Customer(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_station_email", "station_id", "email"),
        Index("ix_customers_station_phone", "station_id", "phone"),
        # The search (`lower(column) LIKE '%text%'`): trigram indexes, PostgreSQL only.
        trigram_index("ix_customers_name_trgm", "name"),
        trigram_index("ix_customers_email_trgm", "email"),
        # The customers list: by name, without sorting every customer of the station.
        Index(
            "ix_customers_list",
            "station_id",
            text("lower(name)"),
            "id",
            postgresql_where=text("merged_into_id IS NULL"),
            sqlite_where=text("merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(255))  # lower-cased
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    notes: Mapped[str] = mapped_column(Text, default="")
    # Current consent; the ledger (ConsentRecord) says when, how and with what text.
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # A merged duplicate points at the customer that absorbed it.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    # Created from a booking whose phone belongs to this other customer (under another
    # email or name): maybe the same person, maybe a household. Staff merge or dismiss.
    possible_duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))

    bookings = relationship("Booking", back_populates="customer", lazy="select", order_by="Booking.event_date.desc()")
    consents = relationship(
        "ConsentRecord", back_populates="customer", lazy="select", order_by="ConsentRecord.recorded_at.desc()"
    )


class ConsentRecord(StationScoped, db.Model):
    """One consent given or withdrawn: channel, text shown, time, source, IP."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    purpose: Mapped[str] = mapped_column(String(16), default="marketing")  # marketing | transactional
    granted: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))  # api.booking, staff, sms.stop ...
    ip_address: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer = relationship("Customer", back_populates="consents")
