"""Operations figures of the hand-made dataset."""

from __future__ import annotations

import pytest

from app.analytics.queries import operations
from tests.analytics.conftest import headline_values, rows_by


def test_utilisation_uses_the_calendar_capacity(run, dataset):
    rows = rows_by(run(operations.utilisation), "weekday")
    # 13 Saturdays in the quarter x 4 slots x 2 chefs; sold: B1, B2 and the no-show B6.
    assert (rows["Saturday"]["sold"], rows["Saturday"]["capacity"]) == (3, 104)
    assert rows["Saturday"]["utilisation"] == pytest.approx(3 / 104)
    assert rows["Friday"] == {"weekday": "Friday", "sold": 0, "capacity": 0, "utilisation": None}


def test_chef_load(run, dataset):
    rows = rows_by(run(operations.chef_load), "chef")
    assert rows["Aiko"] == {"chef": "Aiko", "events": 2, "completed": 1, "no_shows": 1, "guests": 13,
                            "completed_cents": 61000}  # fmt: skip
    assert (rows["Ben"]["events"], rows["Ben"]["completed"]) == (1, 0)


def test_cancellations_and_no_shows_by_event_month(run, dataset):
    rows = rows_by(run(operations.cancellations), "bucket")
    assert list(rows) == ["2026-02-01", "2026-03-01"]  # the expired B3 (20 Feb) is no party
    march = rows["2026-03-01"]
    assert (march["planned"], march["cancelled"], march["no_shows"], march["completed"]) == (4, 2, 1, 0)
    assert march["cancel_rate"] == 0.5
    assert march["no_show_rate"] == 1.0


def test_cancel_reasons_ignore_case_and_spaces(run, dataset):
    (row,) = run(operations.cancel_reasons).rows
    assert row["reason"].lower() == "weather"
    assert (row["cancelled"], row["refund_eligible"]) == (2, 1)


def test_deposit_expiries_by_month_booked(run, dataset):
    rows = rows_by(run(operations.deposit_expiries), "bucket")
    assert {k: (v["made"], v["expired"], v["expired_cents"]) for k, v in rows.items()} == {
        "2026-01-01": (2, 0, 0), "2026-02-01": (2, 1, 55000), "2026-03-01": (2, 0, 0),
    }  # fmt: skip


def test_headlines(run, dataset):
    values = headline_values(run(operations.headlines))
    assert values["Slot utilisation"] == (pytest.approx(3 / 104), pytest.approx(1 / 104))
    assert values["Cancelled / planned"] == (pytest.approx(2 / 5), 0.0)
    assert values["No-show rate"] == (0.5, 0.0)
    assert values["Deposit expiry rate"] == (pytest.approx(1 / 6), 0.0)
