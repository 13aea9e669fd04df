"""The pricing service: one place that prices a party, for the API, staff pages and AI drafts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from app.errors import ValidationFailed
from app.pricing.distance import (
    ROAD_FACTOR,
    DistanceProvider,
    DistanceResult,
    RoutingProvider,
    UnknownZip,
    ZipCentroidProvider,
    provider_for,
)
from app.pricing.quote import (
    FOOD_KINDS,
    MAX_COUNT,
    OutsideServiceArea,
    PartyRequest,
    Quote,
    QuoteLine,
    check_service_area,
    format_money,
    quote,
    validate,
)
from app.stations.settings import StationSettings

__all__ = [
    "FOOD_KINDS",
    "MAX_COUNT",
    "ROAD_FACTOR",
    "DistanceProvider",
    "DistanceResult",
    "OutsideServiceArea",
    "PartyRequest",
    "Quote",
    "QuoteLine",
    "RoutingProvider",
    "UnknownZip",
    "ZipCentroidProvider",
    "check_service_area",
    "format_money",
    "provider_for",
    "quote",
    "quote_for_station",
    "validate",
]


class PricedStation(Protocol):
    """What pricing needs of a station (app.models.Station fits)."""

    name: str
    zip_code: str

    @property
    def settings(self) -> StationSettings: ...


def _station_distance(station: PricedStation, to_zip: str, config: Mapping[str, Any]) -> DistanceResult:
    """Miles from the station to `to_zip`, with errors named after the caller's fields."""
    if not (station.zip_code or "").strip():
        message = f"{station.name} has no ZIP code set, so travel cannot be priced."
        raise ValidationFailed(message, fields={"station.zip_code": message}, code="station_misconfigured")
    try:
        return provider_for(config).miles(station.zip_code, to_zip)
    except UnknownZip as exc:
        if exc.field == "from_zip":
            # The station's own ZIP is a setup mistake for staff, not the customer's.
            message = f"{station.name}'s ZIP code {exc.zip_code} is not a known US ZIP code."
            raise UnknownZip(exc.zip_code, field="station.zip_code", message=message) from exc
        raise UnknownZip(exc.zip_code, field="zip_code", message=exc.message) from exc


def quote_for_station(
    station: PricedStation,
    party_fields: Mapping[str, Any],
    *,
    to_zip: str | None,
    config: Mapping[str, Any],
    discount_cents: int = 0,
) -> Quote:
    """Price a party at `station` from form/JSON fields, with travel to `to_zip` when given.

    The discount is a separate argument so a public request body can never set it.
    """
    settings = station.settings  # Station.settings validates on each access: read it once
    party: PartyRequest | None = None
    field_error: ValidationFailed | None = None
    zip_error: ValidationFailed | None = None
    try:
        party = PartyRequest.from_fields(party_fields, discount_cents=discount_cents)
    except ValidationFailed as exc:
        field_error = exc
    distance: DistanceResult | None = None
    if to_zip is not None:
        try:
            distance = _station_distance(station, to_zip, config)
        except ValidationFailed as exc:
            zip_error = exc
    # A party we cannot reach hears that first, before any field corrections.
    check_service_area(settings, distance, station_name=station.name)
    if zip_error is not None:
        # Report the ZIP and the party's own mistakes in one answer, not one per round trip.
        if party is not None:
            try:
                validate(settings, party)
            except ValidationFailed as exc:
                field_error = exc
        if field_error is None:
            raise zip_error
        fields = {**field_error.fields, **zip_error.fields}
        raise ValidationFailed("Please check the party details.", fields=fields) from zip_error
    if field_error is not None:
        raise field_error
    assert party is not None  # for the type checker: no field error means a party
    return quote(settings, replace(party, distance=distance), station_name=station.name)
