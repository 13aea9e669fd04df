"""The role -> permission registry and the decorators that enforce it.

Permissions are named strings; views ask for a permission, never for a role, so
changing who may do what is an edit of this table alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from flask_login import current_user, login_fresh

from app.models.user import Role

ALL_ROLES = frozenset(Role)
STATION_TEAM = frozenset({Role.OWNER, Role.MANAGER, Role.STAFF})
LEADERS = frozenset({Role.OWNER, Role.MANAGER})

# permission name -> roles that hold it
REGISTRY: dict[str, frozenset[Role]] = {
    "dashboard.view": ALL_ROLES,
    # Money on the dashboard (revenue, balances): not for staff or chefs.
    "dashboard.money": LEADERS,
    "bookings.view": STATION_TEAM,
    "bookings.edit": STATION_TEAM,
    "bookings.view_own": frozenset({Role.CHEF}),
    "customers.view": STATION_TEAM,
    "customers.edit": STATION_TEAM,
    "customers.merge": LEADERS,
    "chefs.view": STATION_TEAM,
    "chefs.manage": LEADERS,
    "chefs.own_schedule": frozenset({Role.CHEF}),
    # Everyone at the station; the view narrows chefs to their own events.
    "chefs.event_sheet": ALL_ROLES,
    "leads.view": STATION_TEAM,
    "leads.edit": STATION_TEAM,
    "leads.merge": LEADERS,
    "inbox.view": STATION_TEAM,
    "drafts.edit": STATION_TEAM,
    "drafts.send": LEADERS,
    # The knowledge base and canned replies the drafts draw on.
    "inbox.manage": LEADERS,
    "payments.view": STATION_TEAM,
    "payments.record": STATION_TEAM,
    "payments.refund": LEADERS,
    "reviews.view": STATION_TEAM,
    # Feature or hide a review; staff may still draft replies (drafts.edit).
    "reviews.manage": LEADERS,
    "newsletter.manage": LEADERS,
    "qr.manage": LEADERS,
    "team.view": LEADERS,
    "team.manage": LEADERS,
    "jobs.view": LEADERS,
    # The station's Sent messages (every notification: sent, recorded, held back, failed).
    "messages.view": LEADERS,
    "analytics.view": LEADERS,
    "calendars.station_feed": LEADERS,
    "station.settings": frozenset({Role.OWNER}),
    # business-wide (admin area)
    "admin.stations": frozenset({Role.OWNER}),
    "admin.users": frozenset({Role.OWNER}),
    "admin.audit": frozenset({Role.OWNER}),
}


# Changes that take the password again when the session was restored from a "keep me
# signed in" cookie rather than signed in with the password (OWASP ASVS 3.7.1): who may
# do what, where the money goes back, business-wide settings.
SENSITIVE = frozenset({"team.manage", "admin.users", "admin.stations", "station.settings", "payments.refund"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def role_has(role: Role | str | None, permission: str) -> bool:
    if permission not in REGISTRY:
        raise KeyError(f"unknown permission {permission!r}")  # a typo must not deny silently
    return role is not None and Role(role) in REGISTRY[permission]


def can(permission: str) -> bool:
    """Whether the signed-in user may do `permission` at the current station.

    Outside a station (admin pages) the business-wide role decides: owner or nothing.
    """
    if not current_user.is_authenticated:
        return False
    role = g.get("role")
    if role is None and current_user.is_owner:
        role = Role.OWNER
    return role_has(role, permission)


def require(permission: str) -> Callable:
    """View decorator: 403 unless the current user holds `permission` here.

    Signed-out callers never reach it: the station and admin blueprints send them to
    sign-in first (see app.web.access).
    """
    if permission not in REGISTRY:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(permission):
                abort(403)
            if permission in SENSITIVE and request.method not in SAFE_METHODS and not login_fresh():
                return current_app.login_manager.needs_refresh()
            return view(*args, **kwargs)

        wrapped.permission = permission  # read by the URL-walk test
        return wrapped

    return decorator
