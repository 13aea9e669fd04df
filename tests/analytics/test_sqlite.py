"""The SQLite fallbacks (make run's embedded database) give the same numbers as PostgreSQL.

Same dataset, same expectations as the PostgreSQL tests, on the branches that differ:
local-time buckets (offsets from zoneinfo instead of timezone()), weekdays, durations,
percentiles in Python, json_each for the menu mix.
"""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.analytics import filters
from app.analytics.queries import conversations, funnel, operations, revenue, reviews
from app.extensions import db
from app.models.station import Station
from tests.analytics.conftest import headline_values, rows_by, run_jobs
from tests.analytics.dataset import ARGS, build_dataset
from tests.factories import StationFactory

WAIT_DAYS = 0.25  # medians of waits come from histograms: bins of 1 h up to 7 days, 6 h beyond


@pytest.fixture
def sqlite_run(make_app, tmp_path):
    sqlite_app = make_app("testing", share_db=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}")
    with sqlite_app.app_context():
        db.create_all()
        alpha = StationFactory(slug="alpha", name="Alpha")
        beta = StationFactory(slug="beta", name="Beta", timezone="America/Chicago")
        build_dataset(alpha.id, beta.id)
        db.session.commit()
        run_jobs()  # the rollups, through the maintenance job (INSERT ... SELECT on SQLite)

    def running(fn, owner: bool = False, **args):
        with sqlite_app.test_request_context():
            assert db.session.get_bind().dialect.name == "sqlite"
            g.station = db.session.scalar(select(Station).where(Station.slug == "alpha"))
            chosen = filters.parse(MultiDict({**ARGS, **args}), g.station, may_see_all=owner)
            return fn(chosen)

    yield running
    with sqlite_app.app_context():
        db.session.remove()


def test_revenue_buckets_in_local_time(sqlite_run):
    rows = rows_by(sqlite_run(revenue.by_period), "bucket")
    assert (rows["2026-01-01"]["bookings"], rows["2026-01-01"]["booked_cents"]) == (2, 116000)
    assert rows["2026-03-01"]["outstanding_cents"] == 70000
    week = rows_by(sqlite_run(revenue.by_period, grain="week"), "bucket")
    assert week["2026-01-26"]["booked_cents"] == 141000
    assert headline_values(sqlite_run(revenue.headlines))["Booked value"] == (256000, 50000)
    mix = [(r["item"], r["portions"], r["bookings"]) for r in sqlite_run(revenue.menu_mix).rows]
    assert mix == [("Filet mignon", 5, 2), ("Lobster tail", 2, 1), ("Gyoza", 2, 1)]


def test_funnel_medians(sqlite_run):
    chat = rows_by(sqlite_run(funnel.by_source), "source")["chat"]
    assert (chat["leads"], chat["booked"]) == (3, 1)
    assert chat["days_to_book"] == pytest.approx(2 + 15.5 / 24, abs=WAIT_DAYS)
    utm = rows_by(sqlite_run(funnel.by_source, by="utm"), "source")
    assert utm["google"]["leads"] == 2


def test_operations_weekdays_and_capacity(sqlite_run):
    rows = rows_by(sqlite_run(operations.utilisation), "weekday")
    assert (rows["Saturday"]["sold"], rows["Saturday"]["capacity"]) == (3, 104)
    march = rows_by(sqlite_run(operations.cancellations), "bucket")["2026-03-01"]
    assert (march["planned"], march["cancelled"]) == (4, 2)


def test_conversation_percentiles(sqlite_run):
    january = rows_by(sqlite_run(conversations.response_times), "bucket")["2026-01-01"]
    assert (january["turns"], january["p50"], january["p90"]) == (3, pytest.approx(60), pytest.approx(108))
    values = headline_values(sqlite_run(conversations.headlines))
    assert values["First response p50"] == (pytest.approx(45), pytest.approx(20))
    assert values["AI drafts sent unchanged"][0] == pytest.approx(1 / 3)


def test_reviews_and_all_stations(sqlite_run):
    rows = rows_by(sqlite_run(reviews.ratings), "bucket")
    assert rows["2026-03-01"]["rating"] == 2.0  # 23:30 on 31 March in New York
    every = rows_by(sqlite_run(reviews.ratings, owner=True, scope="all"), "bucket", "station")
    assert every[("2026-02-01", "Beta")]["reviews"] == 1
