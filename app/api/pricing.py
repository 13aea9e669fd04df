"""Quotes as the API gives them: priced exactly as a booking would be."""

from __future__ import annotations

from app.bookings.schemas import QuoteRequest
from app.bookings.services import price, require_ascii_zip, zip_errors_named
from app.models.station import Station
from app.pricing import Quote


def price_quote(station: Station, data: QuoteRequest) -> Quote:
    """The quote for a QuoteRequest, priced exactly as a booking would be."""
    require_ascii_zip(data.zip_code)
    with zip_errors_named():
        return price(station, data, zip_code=data.zip_code)
