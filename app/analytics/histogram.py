"""Percentiles from per-day histograms of durations, and how far they can be off.

The rollups keep durations (first response, lead to booking) as counts per *bin*. The
bins follow whole minutes m = ceil(seconds / 60): one minute wide up to 4 hours, then 15
minutes up to 24 hours, one hour up to 7 days, 6 hours beyond (`bin_of`, `upper_minutes`).
So a bin is never wider than 1 minute or 1/16 of the durations it holds, and a month of
them is a few hundred rows, not thousands. Days and months add up by adding counts, so
any period's histogram is exact; only the position of a value inside its bin is lost.

A percentile is read as PostgreSQL's percentile_cont reads sorted values (linear
interpolation between the two closest ranks), with the n values of a bin spread evenly
up to its top edge (a single value at the top, so whole-minute durations come out exact).

Accepted error: each of the two interpolated ranks is off by at most its bin's width:
**at most 1 minute for durations under 4 hours, at most 1/16 (6.25%) above** (on the page a
median response shows as whole minutes or tenths of hours; days to book with two
decimals). "Within the SLA" is exact for any SLA under 4 hours, and above for SLAs on a bin
edge (multiples of 15 minutes up to 24 h, of an hour up to 7 days): bin b is within an SLA
of s minutes when its top edge is at most s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

# (last bin of the stretch, its top edge in minutes, bin width in minutes), lowest first.
STRETCHES = ((240, 240, 1), (320, 1440, 15), (464, 10080, 60))
BEYOND = 360  # minutes: the width of every bin past 7 days


def upper_minutes(b: int) -> int:
    """Top edge of bin `b` in minutes (bins below 1 are single minutes: negative waits)."""
    previous_bin, previous_top = 0, 0
    for last_bin, top, width in STRETCHES:
        if b <= last_bin:
            return previous_top + (b - previous_bin) * width
        previous_bin, previous_top = last_bin, top
    return previous_top + (b - previous_bin) * BEYOND


def bin_of(seconds: float) -> int:
    """The bin of a duration (the same arithmetic as app.analytics.sql.duration_bin)."""
    minutes = math.ceil(round(seconds, 3) / 60)
    previous_bin, previous_top = 0, 0
    for last_bin, top, width in STRETCHES:
        if minutes <= top:
            return previous_bin + -(-(minutes - previous_top) // width)
        previous_bin, previous_top = last_bin, top
    return previous_bin + -(-(minutes - previous_top) // BEYOND)


def tolerance(seconds: float) -> float:
    """What a percentile near `seconds` may be off by: twice the bin width there (interpolation)."""
    return 2 * max(60.0, seconds / 16)


def _value_at(bins: list[tuple[int, int]], position: int) -> float:
    """Seconds of the value at 0-based `position` of the sorted values."""
    seen = 0
    for b, count in bins:
        if position < seen + count:
            low, high = upper_minutes(b - 1), upper_minutes(b)
            return (low + (high - low) * (position - seen + 1) / count) * 60.0
        seen += count
    raise IndexError(position)


def percentiles(counts: dict[int, int], fractions: Sequence[float]) -> list[float | None]:
    """percentile_cont(fraction) in seconds, estimated from {bin: count}."""
    bins = sorted((minute, count) for minute, count in counts.items() if count)
    total = sum(count for _, count in bins)
    if not total:
        return [None for _ in fractions]
    result = []
    for fraction in fractions:
        rank = (total - 1) * fraction
        low = int(rank)
        high = min(low + 1, total - 1)
        below, above = _value_at(bins, low), _value_at(bins, high)
        result.append(below + (above - below) * (rank - low))
    return result


def merge(rows: Iterable[tuple[object, int, int]]) -> dict[object, dict[int, int]]:
    """{key: {minute: count}} from (key, minute, count) rows."""
    merged: dict[object, dict[int, int]] = {}
    for key, minute, count in rows:
        bins = merged.setdefault(key, {})
        bins[minute] = bins.get(minute, 0) + int(count)
    return merged
