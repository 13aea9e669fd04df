"""The per-test rollback works: what one test commits, the next one does not see.

The two tests run in file order; the second fails if the first one's row survived.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.station import Station
from tests.factories import StationFactory

PROBE = "rollback-probe"


def count_probes() -> int:
    return db.session.scalar(select(func.count()).select_from(Station).where(Station.slug == PROBE))


def test_1_a_committed_row_is_visible_within_its_test(app):
    with app.app_context():
        assert count_probes() == 0
        StationFactory(slug=PROBE)
        db.session.commit()  # the code under test commits: only a savepoint is released
    with app.app_context():
        assert count_probes() == 1


def test_2_the_row_is_gone_in_the_next_test(app):
    with app.app_context():
        assert count_probes() == 0
        assert db.session.scalar(select(func.count()).select_from(Station)) == 0
