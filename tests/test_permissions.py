"""The role -> permission registry and the decorator that enforces it."""

from __future__ import annotations

import pytest
from flask import g
from flask_login import login_user

from app.extensions import db
from app.models.user import Role, User
from app.permissions import REGISTRY, can, require, role_has
from app.web.layout import ADMIN_NAV, STATION_NAV
from tests.support import isolated_world  # noqa: F401


def test_every_permission_is_held_by_someone():
    assert all(REGISTRY[name] for name in REGISTRY)


def test_unknown_permissions_are_errors_not_denials():
    with pytest.raises(KeyError):
        role_has(Role.OWNER, "bookings.veiw")
    with pytest.raises(KeyError):
        require("no.such.permission")


@pytest.mark.parametrize(
    ("role", "permission", "held"),
    [
        # docs/design.md: staff may edit drafts, not send them; managers send and refund.
        (Role.STAFF, "drafts.edit", True),
        (Role.STAFF, "drafts.send", False),
        (Role.MANAGER, "drafts.send", True),
        (Role.STAFF, "payments.refund", False),
        (Role.MANAGER, "payments.refund", True),
        # Chefs: their own events and availability only.
        (Role.CHEF, "dashboard.view", True),
        (Role.CHEF, "bookings.view", False),
        (Role.CHEF, "bookings.view_own", True),
        (Role.CHEF, "chefs.own_schedule", True),
        (Role.CHEF, "inbox.view", False),
        # Managers run their station's team; settings and the business are the owner's.
        (Role.MANAGER, "team.manage", True),
        (Role.STAFF, "team.view", False),
        (Role.MANAGER, "station.settings", False),
        (Role.OWNER, "station.settings", True),
        (Role.MANAGER, "admin.users", False),
        (Role.OWNER, "admin.audit", True),
        (Role.MANAGER, "analytics.view", True),
        (Role.STAFF, "analytics.view", False),
    ],
)
def test_registry_matches_the_design(role, permission, held):
    assert role_has(role, permission) is held
    assert role_has(role.value, permission) is held  # plain strings from the database work too


def test_nobody_without_a_role_holds_anything():
    assert not any(role_has(None, name) for name in REGISTRY)


def test_owners_hold_every_permission_but_the_chefs_own_ones():
    chef_only = {name for name, roles in REGISTRY.items() if roles == {Role.CHEF}}
    assert chef_only == {"bookings.view_own", "chefs.own_schedule"}
    assert all(role_has(Role.OWNER, name) for name in set(REGISTRY) - chef_only)


def test_navigation_asks_only_for_registered_permissions():
    for item in STATION_NAV + ADMIN_NAV:
        assert item.permission in REGISTRY, item


def test_views_declare_only_registered_permissions(app):
    for endpoint, view in app.view_functions.items():
        permission = getattr(view, "permission", None)
        if permission is not None:
            assert permission in REGISTRY, endpoint


def test_require_keeps_the_view_and_exposes_the_permission():
    @require("team.view")
    def team_page():
        """The team."""
        return "ok"

    assert team_page.permission == "team.view"
    assert team_page.__name__ == "team_page"
    assert team_page.__doc__ == "The team."


def _signed_in(app, user_id: int):
    context = app.test_request_context()
    context.push()
    login_user(db.session.get(User, user_id))
    return context


def test_can_uses_the_role_at_the_current_station(app, world):
    context = _signed_in(app, world.users["manager"].id)
    try:
        g.role = Role.MANAGER
        assert can("team.manage")
        assert not can("station.settings")
        g.role = None  # outside a station, a manager holds nothing business-wide
        assert not can("admin.users")
        assert not can("team.view")
    finally:
        context.pop()


def test_owners_hold_admin_permissions_outside_stations(app, world):
    context = _signed_in(app, world.users["owner"].id)
    try:
        assert can("admin.users")
        assert can("station.settings")
    finally:
        context.pop()


def test_signed_out_holds_nothing(app):
    with app.test_request_context():
        assert not can("dashboard.view")
