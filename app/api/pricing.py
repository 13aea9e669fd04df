"""Pricing and date checks as the API needs them: error fields named after the request's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from app.bookings.schemas import QuoteRequest
from app.bookings.services import price
from app.errors import ValidationFailed
from app.models.base import utcnow
from app.models.station import Station
from app.pricing import Quote, UnknownZip

log = logging.getLogger(__name__)


@contextmanager
def zip_errors_named() -> Iterator[None]:
    """UnknownZip from the distance provider names `to_zip`/`from_zip`; the API says `zip_code`."""
    try:
        yield
    except UnknownZip as exc:
        if exc.field in ("to_zip", "zip_code"):
            raise UnknownZip(exc.zip_code, field="zip_code") from None
        # The station's own ZIP: a setup mistake the customer cannot fix.
        log.warning("station ZIP %r is unknown: travel cannot be priced", exc.zip_code)
        raise ValidationFailed(
            "This station cannot price travel at the moment. Please call us.", code="station_misconfigured"
        ) from None


def require_ascii_zip(zip_code: str | None) -> None:
    """Refuse ZIP codes of non-ASCII digits ("٣٠٣٠٣" passes the schemas' `\\d{5}`).

    The zipcodes package panics (a BaseException, past every error handler) on them.
    """
    if zip_code is not None and not zip_code.isascii():
        message = "Enter a 5-digit US ZIP code using the digits 0-9."
        raise ValidationFailed(message, fields={"zip_code": message})


def price_quote(station: Station, data: QuoteRequest) -> Quote:
    """The quote for a QuoteRequest, priced exactly as a booking would be."""
    require_ascii_zip(data.zip_code)
    with zip_errors_named():
        return price(station, data, zip_code=data.zip_code)


def guard_event_date(station: Station, day: date) -> None:
    """Refuse dates outside the booking window before any date maths runs on them.

    The booking service refuses them too, with the same messages; this check also
    keeps a date such as 9999-12-31 away from the UTC conversion, where it overflows.
    """
    settings = station.settings
    today = utcnow().astimezone(ZoneInfo(station.timezone)).date()
    message = ""
    if day < today:
        message = f"Book at least {settings.lead_time_hours} hours ahead."
    elif day > today + timedelta(days=settings.horizon_days):
        message = f"Bookings open {settings.horizon_days} days ahead."
    if message:
        raise ValidationFailed(message, fields={"event_date": message}, code="slot_unavailable")
