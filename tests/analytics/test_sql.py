"""The dialect helpers that need no database: UTC offsets for SQLite, percentiles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.analytics.sql import interpolated, utc_offsets


def test_offsets_find_dst_changes_to_the_second():
    offsets = utc_offsets("America/New_York", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    assert offsets == [
        (None, -5 * 3600),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), -4 * 3600),  # 2:00 EST -> 3:00 EDT
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), -5 * 3600),  # 2:00 EDT -> 1:00 EST
    ]
    assert utc_offsets("UTC", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)) == [(None, 0)]


def test_interpolated_is_percentile_cont():
    assert interpolated([30, 120, 60], 0.5) == 60
    assert interpolated([30, 120, 60], 0.9) == pytest.approx(108)
    assert interpolated([10, 30, 60, 120], 0.5) == 45
    assert interpolated([], 0.5) is None
