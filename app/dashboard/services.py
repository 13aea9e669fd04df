"""Dashboard "today and next": real counts and the coming events, zero when empty.

Each area contributes a function `(station_id, window) -> list[Stat]` to `CONTRIBUTORS`
(the number tiles) and may add one to `AGENDA` (the events list); the dashboard shows
them in order. Areas register themselves when their module is imported, so this module
knows none of them. The dashboard is role-aware by one rule: a tile shows only when the
signed-in role may open the page it leads to (or, for a number that leads nowhere,
holds the tile's `permission`), so a chef sees their events and no money.
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
from app.permissions import can
from app.web.layout import can_link


@dataclass(frozen=True)
class Stat:
    label: str
    value: int | str
    endpoint: str | None = None  # where the number leads, when that page exists
    params: dict | None = None
    tone: str = ""  # "", "warn", "bad"
    permission: str | None = None  # who may see it besides opening `endpoint` (money, audit counts)
    headline: bool = False  # also a column of the owner's all-stations overview


@dataclass(frozen=True)
class AgendaEntry:
    """One coming event as the dashboard lists it (no money: chefs read it too)."""

    starts_at: datetime
    title: str
    address: str
    guests: int
    status: str
    chef: str | None = None
    endpoint: str | None = None
    params: dict | None = None


@dataclass(frozen=True)
class Window:
    """Today in the station's timezone, as UTC instants."""

    today_start: datetime
    today_end: datetime
    now: datetime
    local_day: date
    timezone: str = "UTC"


Contributor = Callable[[int, Window], list[Stat]]
CONTRIBUTORS: list[tuple[int, Contributor]] = []
# (heading, entries) for the signed-in user, or None when the role has no such list.
AgendaSource = Callable[[int, Window], tuple[str, list[AgendaEntry]] | None]
AGENDA: list[AgendaSource] = []


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
    return Window(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")), now, local_day, timezone)


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
        Stat("Changes logged today", changes or 0, permission="team.view"),
    ]


def visible(stat: Stat) -> bool:
    """Only tiles the signed-in role can open (see the module docstring)."""
    if stat.permission is not None and not can(stat.permission):
        return False
    return stat.endpoint is None or can_link(stat.endpoint)


def dashboard_numbers(station_id: int, timezone: str, now: datetime | None = None) -> list[Stat]:
    """The tiles of this station the signed-in user may open, in order."""
    window = station_window(timezone, now)
    stats: list[Stat] = []
    for _, contributor in CONTRIBUTORS:
        stats.extend(stat for stat in contributor(station_id, window) if visible(stat))
    return stats


def agenda(station_id: int, timezone: str, now: datetime | None = None) -> list[tuple[str, list[AgendaEntry]]]:
    """The events lists the signed-in user has (a chef: their own; the team: the station's)."""
    window = station_window(timezone, now)
    return [section for source in AGENDA if (section := source(station_id, window)) is not None]


def overview(stations: list, now: datetime | None = None) -> list[tuple[object, list[Stat]]]:
    """The owner's all-stations view: each station's headline tiles (a few queries per station)."""
    return [
        (station, [stat for stat in dashboard_numbers(station.id, station.timezone, now) if stat.headline])
        for station in stations
    ]
