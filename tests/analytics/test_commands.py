"""`flask analytics rebuild` and `flask analytics verify` on the hand-made dataset."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import analytics as rollup_tables


def _rows(station_id: int | None = None) -> dict[str, int]:
    def count(table) -> int:
        stmt = select(func.count()).select_from(table)
        return db.session.scalar(stmt if station_id is None else stmt.where(table.c.station_id == station_id))

    return {t.name: count(t) for t in rollup_tables.ROLLUP_TABLES}


def test_rebuild_is_idempotent_and_repairs_what_was_lost(app, world, dataset):
    runner = app.test_cli_runner()
    with app.app_context():
        kept = _rows()  # what the maintenance kept
        alpha = _rows(world.station.id)
    assert kept["analytics_booking_days"] > 0 and kept["analytics_response_minutes"] > 0
    assert kept.pop("analytics_capacity_days") == 0  # capacity is stored by the rebuild (else computed)
    result = runner.invoke(args=["analytics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "alpha:" in result.output and "days recomputed" in result.output
    with app.app_context():
        again = _rows()
        assert again.pop("analytics_capacity_days") > 365 * 2  # both stations, a year ahead at least
        assert again == kept  # the same rows again: nothing doubled
        db.session.execute(delete(rollup_tables.booking_days))  # lost behind the app's back
        db.session.commit()
    assert runner.invoke(args=["analytics", "rebuild", "--station", "alpha", "--from", "2025-01-01"]).exit_code == 0
    with app.app_context():
        assert _rows(world.station.id)["analytics_booking_days"] == alpha["analytics_booking_days"]
        assert _rows(world.other.id)["analytics_booking_days"] == 0  # only alpha was asked for


def test_verify_passes_on_consistent_rollups_and_names_a_difference(app, dataset):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["analytics", "verify", "--station", "alpha", "--days", "400"])
    assert result.exit_code == 0, result.output
    assert "alpha station 400 d revenue: ok" in result.output
    assert "alpha all 400 d conversations: ok" in result.output
    with app.app_context():
        db.session.execute(delete(rollup_tables.money_days))
        db.session.commit()
    result = runner.invoke(args=["analytics", "verify", "--station", "alpha", "--days", "400"])
    assert result.exit_code == 1
    assert "alpha station 400 d revenue: " in result.output and "difference" in result.output
    assert "Deposits collected" in result.output


def test_rebuild_refuses_an_unknown_station(app):
    result = app.test_cli_runner().invoke(args=["analytics", "rebuild", "--station", "nope"])
    assert result.exit_code != 0
    assert "No station 'nope'" in result.output
