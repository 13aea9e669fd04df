"""The filters every analytics page shares, parsed from the query string with defaults.

- `from` / `to`: station-local dates, inclusive (default: the last 90 days, today included);
- `grain`: day | week | month buckets of the tables and charts (default month);
- `compare`: "previous" (default) compares the headline numbers with the period of the
  same length just before; "none" leaves the comparison out;
- `scope`: "station" (default) or "all": all stations, for owners only (a manager asking
  for "all" still gets their station: nothing of another station ever leaks);
- `by`: how the funnel groups its sources: channel | utm | qr.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models.station import Station

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366  # three years: enough for any trend, bounded for the database
GRAINS = ("day", "week", "month")
SOURCE_DIMENSIONS = {"channel": "Channel", "utm": "UTM source", "qr": "QR code"}
# A day grain over years would draw thousands of bars: coarser grains past these lengths.
MAX_BUCKETS = {"day": 93, "week": 160}


@dataclass(frozen=True)
class StationRef:
    """What the queries need of a station: plain values, no ORM row."""

    id: int
    slug: str
    name: str
    timezone: str
    sla_minutes: int

    def midnight_utc(self, day: date) -> datetime:
        return datetime.combine(day, time(0), ZoneInfo(self.timezone)).astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    grain: str
    compare: bool
    scope: str  # station | all
    stations: tuple[StationRef, ...]
    source_by: str = "channel"
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Filters:
        """The period of the same length just before this one."""
        end = self.start - timedelta(days=1)
        return replace(self, start=end - timedelta(days=self.days - 1), end=end)

    @property
    def span_start(self) -> date:
        """First day any query of the page reads (the comparison period's, when compared)."""
        return self.previous.start if self.compare else self.start

    @property
    def station_ids(self) -> list[int]:
        return [s.id for s in self.stations]

    @property
    def all_stations(self) -> bool:
        return self.scope == "all"

    def station(self, station_id: int) -> StationRef | None:
        return next((s for s in self.stations if s.id == station_id), None)

    def query_args(self) -> dict[str, str]:
        """The filters as query arguments (links, CSV exports, the pushed URL)."""
        args = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "grain": self.grain,
            "compare": "previous" if self.compare else "none",
        }
        if self.all_stations:
            args["scope"] = "all"
        if self.source_by != "channel":
            args["by"] = self.source_by
        return args


# Dates outside these are typos; near year 1 or 9999 the timezone arithmetic overflows.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _date(value: str | None) -> date | None:
    try:
        parsed = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is None or EARLIEST <= parsed <= LATEST else None


def _refs(stations: list[Station]) -> tuple[StationRef, ...]:
    return tuple(StationRef(s.id, s.slug, s.name, s.timezone, s.settings.first_response_sla_minutes) for s in stations)


def parse(args, station: Station, *, may_see_all: bool, today: date | None = None) -> Filters:
    """Filters from request args; anything unreadable falls back to the default and says so."""
    problems: list[str] = []
    today = today or datetime.now(ZoneInfo(station.timezone)).date()
    end = _date(args.get("to"))
    start = _date(args.get("from"))
    if args.get("to") and end is None:
        problems.append("The end date was not a date: showing up to today.")
    if args.get("from") and start is None:
        problems.append("The start date was not a date: showing the default period.")
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
        problems.append("The dates were the wrong way round: swapped.")
    if (end - start).days + 1 > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
        problems.append(f"At most {MAX_DAYS} days at a time: the start moved to {start.isoformat()}.")
    grain = args.get("grain") if args.get("grain") in GRAINS else "month"
    days = (end - start).days + 1
    if grain == "day" and days > MAX_BUCKETS["day"]:
        grain = "week"
    if grain == "week" and days > MAX_BUCKETS["week"] * 7:
        grain = "month"
    scope = "all" if may_see_all and args.get("scope") == "all" else "station"
    if scope == "all":
        rows = list(db.session.scalars(select(Station).where(Station.is_active).order_by(Station.name)))
        if station not in rows:  # an owner looking from an inactive station still sees it
            rows.append(station)
    else:
        rows = [station]
    return Filters(
        start=start,
        end=end,
        grain=grain,
        compare=args.get("compare", "previous") != "none",
        scope=scope,
        stations=_refs(rows),
        source_by=args.get("by") if args.get("by") in SOURCE_DIMENSIONS else "channel",
        problems=tuple(problems),
    )
