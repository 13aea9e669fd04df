"""Bookings: the staff pages (list, calendar, booking page, new booking) and services."""

from app.web.access import station_blueprint

bp = station_blueprint("bookings", __name__, "/bookings")

from app.bookings import dashboard, demo, views  # noqa: E402,F401
