"""Revenue figures of the hand-made dataset (tests/analytics/dataset.py), worked out by hand."""

from __future__ import annotations

import pytest

from app.analytics.queries import revenue
from tests.analytics.conftest import headline_values, rows_by


def test_by_month_counts_each_figure_on_its_own_local_date(run, dataset):
    table = run(revenue.by_period)
    rows = rows_by(table, "bucket")
    assert list(rows) == ["2026-01-01", "2026-02-01", "2026-03-01"]
    # January: B1 (made 23:30 on 31 Jan in New York, 04:30 on 1 Feb in UTC) and B6.
    assert rows["2026-01-01"] == {
        "bucket": "2026-01-01", "station": "Alpha", "bookings": 2, "booked_cents": 116000, "guests": 23,
        "deposits_cents": 20000, "refunds_cents": 0, "outstanding_cents": 0, "avg_guests": 11.5,
        "avg_value_cents": 58000,
    }  # fmt: skip
    # February: B2 (00:30 on 1 Feb local); B3 expired unpaid and is no sale.
    assert rows["2026-02-01"]["bookings"] == 1
    assert rows["2026-02-01"]["booked_cents"] == 80000
    assert rows["2026-02-01"]["deposits_cents"] == 10000
    assert rows["2026-02-01"]["refunds_cents"] == 0  # the failed refund does not count
    # March: B4 (cancelled later, still a sale that month), its refund, B2's balance owed for its March event.
    assert rows["2026-03-01"]["bookings"] == 1
    assert rows["2026-03-01"]["refunds_cents"] == 10000
    assert rows["2026-03-01"]["outstanding_cents"] == 70000


def test_station_column_only_for_all_stations(run, dataset):
    assert "station" not in [c.key for c in run(revenue.by_period).columns]
    table = run(revenue.by_period, owner=True, scope="all")
    assert "station" in [c.key for c in table.columns]
    beta = rows_by(table, "bucket", "station")[("2026-01-01", "Beta")]
    assert (beta["bookings"], beta["booked_cents"], beta["deposits_cents"]) == (1, 99900, 10000)


def test_menu_mix_sums_portions_of_booked_parties(run, dataset):
    rows = [(r["kind"], r["item"], r["portions"], r["bookings"]) for r in run(revenue.menu_mix).rows]
    assert rows == [("Upgrade", "Filet mignon", 5, 2), ("Upgrade", "Lobster tail", 2, 1), ("Add-on", "Gyoza", 2, 1)]


def test_headlines_compare_with_the_previous_period(run, dataset):
    values = headline_values(run(revenue.headlines))
    assert values["Booked value"] == (256000, 50000)
    assert values["Bookings made"] == (4, 1)
    assert values["Deposits collected"] == (40000, 10000)
    assert values["Refunds"] == (10000, 0)
    assert values["Average party"] == (12.0, 9.0)
    assert values["Average value"] == (64000, 50000)


def test_week_grain_buckets_on_mondays(run, dataset):
    rows = rows_by(run(revenue.by_period, grain="week"), "bucket")
    # Sat 31 Jan 2026 23:30 local: the week of Monday 26 January; Sun 1 Feb 00:30: the same week.
    assert rows["2026-01-26"]["bookings"] == 2
    assert rows["2026-01-26"]["booked_cents"] == 141000


@pytest.mark.parametrize("compare", ["none"])
def test_no_comparison_leaves_previous_empty(run, dataset, compare):
    values = headline_values(run(revenue.headlines, compare=compare))
    assert values["Booked value"] == (256000, None)
