"""Jinja filters: money with babel, times in the station's timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from flask import Flask, g


def money(cents: int | None, currency: str = "USD", locale: str = "en_US") -> str:
    if cents is None:
        return "—"
    return format_currency(cents / 100, currency, locale=locale)


def local_time(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M", tz: str | None = None) -> str:
    """A UTC datetime in the current station's timezone (or `tz`), with the zone: "18:00 EST".

    The one filter for times on every page: whenever `fmt` shows a time of day, the zone's
    abbreviation follows it (unless `fmt` places `%Z` itself), so no one reads a UTC time as
    local or guesses which station's clock a time is on. Dates alone carry no zone.
    """
    if value is None:
        return "—"
    zone = tz or (g.station.timezone if g.get("station") is not None else "UTC")
    if "%H" in fmt and "%Z" not in fmt:
        fmt = f"{fmt} %Z"
    return value.astimezone(ZoneInfo(zone)).strftime(fmt)


def duration_minutes(minutes: int | None) -> str:
    """42 -> "42 min", 135 -> "2 h 15 min", 3000 -> "2 d 2 h"."""
    if minutes is None:
        return ""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def register(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(duration_minutes, "duration_minutes")
