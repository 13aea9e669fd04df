"""Customers: list, customer page (bookings, consent, notes), merging duplicates."""

from app.web.access import station_blueprint

bp = station_blueprint("customers", __name__, "/customers")

from app.customers import views  # noqa: E402,F401
