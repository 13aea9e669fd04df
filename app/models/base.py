"""Column helpers and mixins shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, func, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on PostgreSQL and SQLite alike.

    SQLite drops tzinfo; this puts it back so comparisons never mix naive and aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StationScoped:
    """Rows that belong to one station: station_id is NOT NULL and indexed."""

    @declared_attr
    def station_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(Integer, ForeignKey("stations.id", ondelete="CASCADE"), index=True, nullable=False)


def contains_text(column, text_: str):
    """`lower(column) LIKE '%text%'` (% and _ in the text taken literally): what trigram_index serves.

    Written out rather than `icontains`, which PostgreSQL gets as ILIKE, which an index on
    lower(column) does not serve.
    """
    return func.lower(column).contains(text_.lower(), autoescape=True)


def trigram_index(name: str, column: str) -> Index:
    """A pg_trgm GIN index on lower(column): serves contains_text(column, ...).

    PostgreSQL only (the migration creates the extension); SQLite has no such index and scans.
    """
    return Index(name, text(f"lower({column}) gin_trgm_ops"), postgresql_using="gin").ddl_if(dialect="postgresql")
