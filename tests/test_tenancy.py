"""Station resolution and the scoped reads: another station's rows answer 404."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models.station import Station
from app.models.user import Membership, Role, User
from app.tenancy import current_station_id, enter_station, get_scoped_or_404, role_at, scoped, stations_for
from tests.factories import StationFactory
from tests.support import isolated_world, session_as_role  # noqa: F401


@pytest.fixture
def request_ctx(app, world):
    """A request context of its own (no client requests are made in these tests)."""
    with app.test_request_context():
        yield


def user(world, who: str) -> User:
    return db.session.get(User, world.users[who].id)


def test_current_station_id_needs_a_station(request_ctx):
    with pytest.raises(RuntimeError, match="no current station"):
        current_station_id()


def test_scoped_reads_only_the_current_station(request_ctx, world):
    g.station_id = world.station.id
    rows = db.session.scalars(scoped(Membership)).all()
    assert {m.station_id for m in rows} == {world.station.id}
    assert len(rows) == 3
    other = db.session.scalars(scoped(Membership, station_id=world.other.id)).all()
    assert {m.station_id for m in other} == {world.other.id}


def test_get_scoped_or_404(request_ctx, world):
    g.station_id = world.station.id
    own = world.users["staff"].memberships[0].id
    foreign = world.users["other_staff"].memberships[0].id
    assert get_scoped_or_404(Membership, own).id == own
    assert get_scoped_or_404(Membership, str(own)).id == own
    for bad in (foreign, 999_999, "abc", None, "1; DROP TABLE users"):
        with pytest.raises(NotFound):
            get_scoped_or_404(Membership, bad)
    assert get_scoped_or_404(Membership, foreign, station_id=world.other.id).id == foreign


def test_role_at(request_ctx, world):
    alpha = db.session.get(Station, world.station.id)
    beta = db.session.get(Station, world.other.id)
    assert role_at(user(world, "owner"), beta) == Role.OWNER
    assert role_at(user(world, "chef"), alpha) == Role.CHEF
    assert role_at(user(world, "chef"), beta) is None
    assert role_at(user(world, "other_manager"), beta) == Role.MANAGER


def test_stations_for(request_ctx, world):
    StationFactory(slug="closed", name="Closed", is_active=False)
    db.session.flush()
    assert [s.slug for s in stations_for(user(world, "owner"))] == ["alpha", "beta"]
    assert [s.slug for s in stations_for(user(world, "staff"))] == ["alpha"]
    assert [s.slug for s in stations_for(user(world, "other_staff"))] == ["beta"]


def test_enter_station_sets_plain_ids(request_ctx, world):
    enter_station("alpha", user(world, "staff"))
    assert g.station_id == world.station.id
    assert isinstance(g.station_id, int)
    assert g.role == Role.STAFF


@pytest.mark.parametrize(("slug", "who"), [("beta", "staff"), ("nowhere", "owner"), ("alpha", "other_manager")])
def test_enter_station_refuses_with_404(request_ctx, world, slug, who):
    with pytest.raises(NotFound):
        enter_station(slug, user(world, who))


def test_inactive_station_is_404_for_its_team_only(request_ctx, world):
    db.session.get(Station, world.station.id).is_active = False
    db.session.flush()
    with pytest.raises(NotFound):
        enter_station("alpha", user(world, "manager"))
    enter_station("alpha", user(world, "owner"))
    assert g.role == Role.OWNER


def test_stations_through_http(as_role, world):
    assert as_role("manager").get("/s/alpha/").status_code == 200
    assert as_role("manager").get("/s/beta/").status_code == 404
    assert as_role("other_manager").get("/s/alpha/").status_code == 404
    assert as_role("owner").get("/s/beta/").status_code == 200
    assert as_role("owner").get("/s/nowhere/").status_code == 404


def test_station_switcher_lists_only_my_stations(as_role, world):
    owner = as_role("owner").get("/s/alpha/").get_data(as_text=True)
    manager = as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert "/s/beta/" in owner
    assert "/s/beta/" not in manager


def _leads_an_index(table, column) -> bool:
    if column.index:
        return True
    keyed = [list(index.columns) for index in table.indexes] + [
        list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)
    ]
    return any(columns and columns[0] is column for columns in keyed)


def test_every_tenant_table_has_an_indexed_station_id(app):
    """docs/design.md: every tenant table carries station_id, NOT NULL and indexed."""
    # Rows that may belong to no station: owner memberships, business-wide audit and email.
    # Business-wide rows: owner memberships, audit of users/stations, account emails, and
    # job plumbing (outbox, notifications) that may concern no one station.
    nullable_by_design = {"memberships", "audit_log", "email_messages", "outbox_messages", "notifications"}
    tenant_tables = [t for t in db.metadata.sorted_tables if "station_id" in t.c]
    assert {"memberships", "audit_log"} <= {t.name for t in tenant_tables}
    for table in tenant_tables:
        column = table.c.station_id
        assert _leads_an_index(table, column), f"{table.name}.station_id leads no index"
        if table.name not in nullable_by_design:
            assert not column.nullable, f"{table.name}.station_id may be NULL"
