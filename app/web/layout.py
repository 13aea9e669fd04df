"""What every page's layout needs: navigation, station switcher, permission checks."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_login import current_user

from app.models.base import utcnow
from app.permissions import can
from app.tenancy import stations_for
from app.web.htmx import add_vary


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str
    icon: str = ""


# Station areas in the left navigation; an area appears once its blueprint exists.
STATION_NAV = [
    NavItem("Dashboard", "dashboard.station_home", "dashboard.view", "◧"),
    NavItem("Bookings", "bookings.index", "bookings.view", "▦"),
    NavItem("Calendar", "bookings.calendar", "bookings.view", "▤"),
    NavItem("My events", "chefs.my_schedule", "chefs.own_schedule", "▤"),
    NavItem("Customers", "customers.index", "customers.view", "☺"),
    NavItem("Chefs", "chefs.index", "chefs.view", "♨"),
    NavItem("Leads", "leads.index", "leads.view", "✦"),
    NavItem("Inbox", "inbox.index", "inbox.view", "✉"),
    NavItem("Reviews", "reviews.index", "reviews.view", "★"),
    NavItem("Newsletter", "newsletter.index", "newsletter.manage", "✉"),
    NavItem("QR codes", "qr.index", "qr.manage", "▣"),
    NavItem("Payments", "payments.index", "payments.view", "$"),
    NavItem("Analytics", "analytics.index", "analytics.view", "∿"),
    NavItem("Sent messages", "messages.index", "messages.view", "✈"),
    NavItem("Jobs", "jobs.index", "jobs.view", "⚙"),
    NavItem("Team", "team.index", "team.view", "⚇"),
    NavItem("Settings", "settings.edit", "station.settings", "⚒"),
]

ADMIN_NAV = [
    NavItem("Stations", "admin.stations", "admin.stations"),
    NavItem("Users", "admin.users", "admin.users"),
    NavItem("Audit log", "admin.audit_log", "admin.audit"),
    NavItem("Sent messages", "admin.sent_messages", "admin.audit"),
]


def _visible(items: list[NavItem]) -> list[NavItem]:
    views = current_app.view_functions
    return [item for item in items if item.endpoint in views and can(item.permission)]


def can_link(endpoint: str) -> bool:
    """The endpoint exists and the user holds the permission its view asks for."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    permission = getattr(view, "permission", None)
    return permission is None or can(permission)


def register(app: Flask) -> None:
    @app.context_processor
    def _layout_context():
        station = g.get("station")
        # Templates rendered outside a request (jobs) have no user at all.
        signed_in = bool(current_user) and current_user.is_authenticated
        return {
            "can": can,
            "can_link": can_link,
            "now_utc": utcnow(),
            "current_station": station,
            "current_role": g.get("role"),
            "my_stations": stations_for(current_user) if signed_in else [],
            "station_nav": _visible(STATION_NAV) if signed_in and station else [],
            "admin_nav": _visible(ADMIN_NAV) if signed_in and current_user.is_owner else [],
        }

    app.after_request(add_vary)

    from app.web import formatting

    formatting.register(app)
