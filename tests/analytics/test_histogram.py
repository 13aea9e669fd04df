"""The histogram bins and percentiles: the SQL bin is the Python bin; estimates within the stated error."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import literal, select

from app.analytics import histogram, sql
from app.extensions import db


def test_bins_are_a_minute_wide_up_to_four_hours_and_at_most_a_sixteenth_above():
    assert [histogram.bin_of(s) for s in (-61, 0, 1, 60, 61, 14_400)] == [-1, 0, 1, 1, 2, 240]
    for b in range(-5, 700):
        low, high = histogram.upper_minutes(b - 1), histogram.upper_minutes(b)
        assert high > low
        assert high - low == 1 or (high - low) <= max(low, 1) / 16
        assert histogram.bin_of(high * 60) == b and histogram.bin_of(low * 60 + 0.5) == b


def test_sql_bins_equal_python_bins(app):
    rng = random.Random(7)
    values = [0.0, 59.9, 60.0, 60.0004, 14_399.5, 86_400.0, 86_461.0, 604_800.0, 700_000.0, -90.0]
    values += [rng.uniform(0, 40 * 86_400) for _ in range(200)]
    with app.app_context():
        found = db.session.execute(select(*[sql.duration_bin(literal(v)) for v in values])).one()
    assert list(found) == [histogram.bin_of(v) for v in values]


@pytest.mark.parametrize("seed", range(5))
def test_percentiles_within_the_stated_error(seed):
    rng = random.Random(seed)
    values = [rng.lognormvariate(7.3, 1.4) for _ in range(rng.randint(1, 400))]
    counts: dict[int, int] = {}
    for v in values:
        counts[histogram.bin_of(v)] = counts.get(histogram.bin_of(v), 0) + 1
    for fraction, estimate in zip((0.5, 0.9), histogram.percentiles(counts, [0.5, 0.9]), strict=True):
        exact = sql.interpolated(values, fraction)
        assert abs(estimate - exact) <= histogram.tolerance(max(estimate, exact))
