"""Chefs: profiles, weekly availability, time off, blackout dates, schedules."""

from app.web.access import station_blueprint

bp = station_blueprint("chefs", __name__, "/chefs")

from app.chefs import views  # noqa: E402,F401
