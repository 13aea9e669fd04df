"""Fixtures of the analytics tests: the isolated world, signed-in clients, the hand-made dataset."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.analytics.dataset import build_dataset
from tests.customers.conftest import count_queries  # noqa: F401
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401


@pytest.fixture
def dataset(app, world):
    """The hand-made rows of tests/analytics/dataset.py at alpha (and a few at beta), committed
    to the test's transaction, with the rollups caught up; returns their ids."""
    with app.app_context():
        ids = build_dataset(world.station.id, world.other.id)
        db.session.commit()
        run_jobs()
    return ids


def run_jobs() -> int:
    """Catch the rollups up with the committed changes, as the periodic job does; returns station-days."""
    from app.analytics.maintenance import refresh_pending

    return refresh_pending()


@pytest.fixture
def in_station(app, world):
    """`with in_station("alpha"):` a request context at that station (g.station set), for direct calls."""
    from contextlib import contextmanager

    from flask import g
    from sqlalchemy import select

    from app.models.station import Station

    @contextmanager
    def entering(slug: str = "alpha"):
        with app.test_request_context():
            g.station = db.session.scalar(select(Station).where(Station.slug == slug))
            g.station_id = g.station.id
            yield g.station

    return entering


@pytest.fixture
def run(in_station):
    """run(fn, slug="alpha", owner=False, **args) -> fn(filters) at that station, the dataset's period
    by default (args override it: from, to, grain, compare, scope, by)."""
    from werkzeug.datastructures import MultiDict

    from app.analytics import filters
    from tests.analytics.dataset import ARGS

    def running(fn, slug: str = "alpha", owner: bool = False, **args):
        with in_station(slug) as station:
            chosen = filters.parse(MultiDict({**ARGS, **args}), station, may_see_all=owner)
            return fn(chosen)

    return running


def rows_by(table, *keys):
    """A table's rows keyed by the values of `keys` (one key: the value itself)."""
    return {(row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)): row for row in table.rows}


def headline_values(headlines):
    return {h.label: (h.value, h.previous) for h in headlines}
