"""Dashboard numbers: real counts for today and what is coming, zero when empty.

Each area contributes a function `(station_id, day_start_utc, day_end_utc) -> list[Stat]`
to `CONTRIBUTORS`; the dashboard shows them in order. Areas register themselves when
their module is imported, so this module knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.base import utcnow
from app.models.user import Membership


@dataclass(frozen=True)
class Stat:
    label: str
    value: int | str
    endpoint: str | None = None  # where the number leads, when that page exists
    params: dict | None = None
    tone: str = ""  # "", "warn", "bad"


@dataclass(frozen=True)
class Window:
    """Today in the station's timezone, as UTC instants."""

    today_start: datetime
    today_end: datetime
    now: datetime
    local_day: date


Contributor = Callable[[int, Window], list[Stat]]
CONTRIBUTORS: list[tuple[int, Contributor]] = []


def contributes(order: int) -> Callable[[Contributor], Contributor]:
    def decorator(fn: Contributor) -> Contributor:
        CONTRIBUTORS.append((order, fn))
        CONTRIBUTORS.sort(key=lambda pair: pair[0])
        return fn

    return decorator


def station_window(timezone: str, now: datetime | None = None) -> Window:
    now = now or utcnow()
    zone = ZoneInfo(timezone)
    local_day = now.astimezone(zone).date()
    start = datetime.combine(local_day, time.min, tzinfo=zone)
    end = datetime.combine(local_day + timedelta(days=1), time.min, tzinfo=zone)
    return Window(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")), now, local_day)


@contributes(order=90)
def team_numbers(station_id: int, window: Window) -> list[Stat]:
    members = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.station_id == station_id))
    changes = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.station_id == station_id,
            AuditEntry.occurred_at >= window.today_start,
            AuditEntry.occurred_at < window.today_end,
        )
    )
    return [
        Stat("Team members", members or 0, "team.index"),
        Stat("Changes logged today", changes or 0),
    ]


def dashboard_numbers(station_id: int, timezone: str, now: datetime | None = None) -> list[Stat]:
    window = station_window(timezone, now)
    stats: list[Stat] = []
    for _, contributor in CONTRIBUTORS:
        stats.extend(contributor(station_id, window))
    return stats
