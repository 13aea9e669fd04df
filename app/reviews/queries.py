"""Reads of reviews: the staff list with its filters and figures, the published set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.review import Review
from app.tenancy import scoped

PUBLIC_LIMIT = 20  # featured reviews a site widget shows


@dataclass(frozen=True)
class ListFilters:
    rating: int | None = None
    chef: int | None = None
    featured: bool | None = None
    replied: bool | None = None

    @classmethod
    def from_args(cls, args: Any) -> ListFilters:
        """Unknown or malformed values mean "any" (a hand-edited URL is no error)."""
        rating = _int(args.get("rating"))
        return cls(
            rating=rating if rating in range(1, 6) else None,
            chef=_int(args.get("chef")),
            featured=_yes_no(args.get("featured")),
            replied=_yes_no(args.get("replied")),
        )

    def criteria(self) -> list:
        where = []
        if self.rating is not None:
            where.append(Review.rating == self.rating)
        if self.chef is not None:
            where.append(Review.chef_id == self.chef)
        if self.featured is not None:
            where.append(Review.featured.is_(self.featured))
        if self.replied is True:
            where.append(Review.replied_at.is_not(None))
        elif self.replied is False:
            where.append(Review.replied_at.is_(None))
        return where


def _int(raw: str | None) -> int | None:
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 10:
        return int(raw)
    return None


def _yes_no(raw: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


def review_list(filters: ListFilters) -> Select:
    """The station's reviews matching the filters, newest first, with what the rows show."""
    return (
        scoped(Review, *filters.criteria())
        .options(selectinload(Review.booking), selectinload(Review.chef))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None


def summary(station_id: int, *criteria) -> Summary:
    count, average = db.session.execute(
        select(func.count(Review.id), func.avg(Review.rating)).where(Review.station_id == station_id, *criteria)
    ).one()
    return Summary(count=count, average=round(float(average), 1) if average is not None else None)


def visible_summary(station_id: int) -> Summary:
    """Over every review not hidden by staff: what schema.org AggregateRating reports."""
    return summary(station_id, Review.is_hidden.is_(False))


def featured(station_id: int, limit: int = PUBLIC_LIMIT) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.station_id == station_id, Review.featured.is_(True), Review.is_hidden.is_(False))
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(limit)
        )
    )


def public_name(name: str) -> str:
    """What a public page may show of a customer: "Ada Lovelace" -> "Ada L."."""
    parts = name.split()
    if not parts:
        return "Guest"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."
