"""Review figures of the hand-made dataset."""

from __future__ import annotations

import pytest

from app.analytics.queries import reviews
from tests.analytics.conftest import headline_values, rows_by


def test_ratings_by_local_month(run, dataset):
    rows = rows_by(run(reviews.ratings), "bucket")
    # The 2-star review of 23:30 on 31 March in New York (1 April in UTC) is a March review.
    assert {k: (v["reviews"], v["rating"]) for k, v in rows.items()} == {
        "2026-01-01": (1, 4.0), "2026-02-01": (1, 5.0), "2026-03-01": (1, 2.0),
    }  # fmt: skip


def test_by_chef_and_distribution(run, dataset):
    chefs = rows_by(run(reviews.by_chef), "chef")
    assert {k: (v["reviews"], v["rating"]) for k, v in chefs.items()} == {
        "Aiko": (1, 5.0), "Ben": (1, 2.0), "(no chef recorded)": (1, 4.0),
    }  # fmt: skip
    given = rows_by(run(reviews.distribution), "stars")
    assert [v["reviews"] for v in given.values()] == [1, 1, 0, 1, 0]  # 5 stars down to 1


def test_share_of_completed_parties_reviewed(run, dataset):
    (row,) = run(reviews.coverage).rows
    assert (row["bucket"], row["completed"], row["reviewed"], row["share"]) == ("2026-02-01", 1, 1, 1.0)


def test_headlines(run, dataset):
    values = headline_values(run(reviews.headlines))
    assert values["Average rating"] == (pytest.approx(11 / 3), 3.0)
    assert values["Reviews"] == (3, 1)
    assert values["1-2 star reviews"] == (1, 0)
    assert values["Completed parties reviewed"] == (1.0, 1.0)
