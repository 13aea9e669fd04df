"""Bookings: the staff pages (list, calendar, booking page, new booking) and services."""

from app.web.access import station_blueprint

bp = station_blueprint("bookings", __name__, "/bookings")


@bp.app_template_filter("described")
def _described(event, currency: str = "USD"):
    """A timeline entry in words (app.bookings.timeline_text)."""
    from app.bookings.timeline_text import describe

    return describe(event, currency)


from app.bookings import dashboard, demo, views  # noqa: E402,F401
