"""Each station's daily OpenAI spend: what its drafts cost since the station's local midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.ai.drafting.grounding import StationInfo
from app.extensions import db
from app.models.conversation import Draft

MICRODOLLARS_PER_CENT = 10_000


def local_midnight_utc(station: StationInfo, now: datetime) -> datetime:
    """The UTC instant at which the station's current local day began (DST-aware)."""
    zone = ZoneInfo(station.timezone)
    return datetime.combine(station.local_today(now), time(0), tzinfo=zone).astimezone(UTC)


def spent_today_microdollars(station: StationInfo, now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Draft.cost_microdollars), 0)).where(
                Draft.station_id == station.id, Draft.created_at >= local_midnight_utc(station, now)
            )
        )
        or 0
    )


def within_budget(station: StationInfo, now: datetime) -> bool:
    """Whether the station may spend on another OpenAI draft today (a zero budget never may)."""
    budget = station.settings.ai_daily_budget_cents * MICRODOLLARS_PER_CENT
    return spent_today_microdollars(station, now) < budget


def cost_microdollars(prompt_tokens: int, completion_tokens: int, input_per_mtok: float, output_per_mtok: float) -> int:
    """Cost in micro-dollars: a price of $1 per million tokens is 1 micro-dollar per token."""
    return round(prompt_tokens * input_per_mtok + completion_tokens * output_per_mtok)
