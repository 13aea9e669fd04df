"""Percentiles from per-day histograms of whole minutes, and how far they can be off.

The rollups keep durations (first response, lead to booking) as counts per minute bin
k = ceil(seconds / 60), i.e. the interval ((k-1) * 60, k * 60] seconds. Days add up by
adding counts, so any period's histogram is exact; only the position of a value inside its
minute is lost. A percentile is read as PostgreSQL's percentile_cont reads sorted values
(linear interpolation between the two closest ranks), with the n values of bin k spread
evenly up to its top: the i-th (from 0) at k - 1 + (i + 1) / n minutes (a single value at
k minutes, so whole-minute durations come out exact).

Accepted error: **at most 60 seconds** (one bin) against percentile_cont over the exact
values, whatever the period: shown as whole minutes (or tenths of hours, or days with two
decimals), a minute is the page's own resolution. "Within the SLA" stays exact: the SLA is
a whole number of minutes, and bin k is within an SLA of s minutes exactly when k <= s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

BIN_SECONDS = 60.0
ERROR_SECONDS = BIN_SECONDS


def _value_at(bins: list[tuple[int, int]], position: int) -> float:
    """Seconds of the value at 0-based `position` of the sorted values."""
    seen = 0
    for minute, count in bins:
        if position < seen + count:
            return (minute - 1 + (position - seen + 1) / count) * BIN_SECONDS
        seen += count
    raise IndexError(position)


def percentiles(counts: dict[int, int], fractions: Sequence[float]) -> list[float | None]:
    """percentile_cont(fraction) in seconds, estimated from {minute bin: count}."""
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
