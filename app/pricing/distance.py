"""Driving distance between two US ZIP codes: offline ZIP centroids, or a routing API."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol, runtime_checkable

import requests

from app.errors import ValidationFailed
from app.pricing.zip_table import TABLE as ZIP_TABLE

log = logging.getLogger(__name__)

# Roads are not straight lines: across US road networks the driving distance runs at
# roughly 1.2-1.4x the great-circle distance (detour index). 1.25 keeps the estimate
# close for suburban trips without overcharging rural ones much.
ROAD_FACTOR = 1.25
EARTH_RADIUS_MILES = 3958.8
METRES_PER_MILE = 1609.344
# A slow routing API must not hold a web request (or the live quote form) for long.
ROUTING_TIMEOUT_SECONDS = 5.0

ZIP_PATTERN = re.compile(r"^([0-9]{5})(?:-[0-9]{4})?$")

Method = Literal["zip-centroid", "routing"]


@dataclass(frozen=True)
class DistanceResult:
    """Miles from a station to a party (rounded to 0.1) and how they were found."""

    miles: float
    estimate: bool
    method: Method

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe copy."""
        return {"miles": self.miles, "estimate": self.estimate, "method": self.method}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DistanceResult:
        """The inverse of as_dict."""
        return cls(miles=float(data["miles"]), estimate=bool(data["estimate"]), method=data["method"])


class UnknownZip(ValidationFailed):
    """A ZIP code that is malformed or not in the US ZIP data."""

    code = "unknown_zip"

    def __init__(self, zip_code: str, *, field: str = "zip_code", message: str | None = None):
        message = message or f"We do not know the ZIP code {zip_code}."
        super().__init__(message, fields={field: message})
        self.zip_code = zip_code
        self.field = field


@runtime_checkable
class DistanceProvider(Protocol):
    """Anything that tells the miles between two ZIP codes."""

    def miles(self, from_zip: str, to_zip: str) -> DistanceResult: ...


def normalize_zip(value: str, *, field: str = "zip_code") -> str:
    """The 5-digit ZIP in `value` ("30313" or "30313-1234"), else UnknownZip."""
    text = value.strip() if isinstance(value, str) else ""
    match = ZIP_PATTERN.fullmatch(text)
    if not match:
        message = f"We do not know the ZIP code {text}." if text else "Enter a 5-digit US ZIP code."
        raise UnknownZip(text, field=field, message=message)
    return match.group(1)


def centroid(zip_code: str, *, field: str = "zip_code") -> tuple[float, float]:
    """(lat, lon) of a known ZIP code, else UnknownZip naming `field`."""
    zip5 = normalize_zip(zip_code, field=field)
    point = ZIP_TABLE.centroid(zip5)
    if point is None:
        raise UnknownZip(zip5, field=field)
    return point


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle miles between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def _endpoints(from_zip: str, to_zip: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Both centroids; the field names say which side was unknown."""
    return centroid(from_zip, field="from_zip"), centroid(to_zip, field="to_zip")


class ZipCentroidProvider:
    """Straight line between ZIP centres times ROAD_FACTOR: offline, always an estimate."""

    def miles(self, from_zip: str, to_zip: str) -> DistanceResult:
        """Estimated driving miles between two ZIP codes."""
        a, b = _endpoints(from_zip, to_zip)
        return DistanceResult(round(haversine_miles(a, b) * ROAD_FACTOR, 1), True, "zip-centroid")


class RoutingError(Exception):
    """The routing API gave no usable distance."""


@lru_cache(maxsize=4096)
def _route_metres(url: str, api_key: str | None, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Driving metres from an OSRM-compatible API; cached (roads between ZIPs rarely move).

    Failures raise and are therefore never cached.
    """
    coords = f"{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}"  # OSRM wants lon,lat
    # The key goes in a header, not the URL, so it never lands in logs or error messages.
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    response = requests.get(
        f"{url}/route/v1/driving/{coords}",
        params={"overview": "false"},
        headers=headers,
        timeout=ROUTING_TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict) or body.get("code", "Ok") != "Ok":
        raise RoutingError(f"routing API answered {str(body)[:200]}")
    metres = body["routes"][0]["distance"]
    if isinstance(metres, bool) or not isinstance(metres, int | float) or not math.isfinite(metres):
        raise RoutingError(f"routing API gave distance {metres!r}")
    if metres < 0:
        raise RoutingError(f"routing API gave distance {metres!r}")
    return float(metres)


class RoutingProvider:
    """Road miles from an OSRM-compatible route API, falling back to ZIP centroids."""

    def __init__(self, url: str, api_key: str | None = None, fallback: DistanceProvider | None = None):
        self.url = url.rstrip("/")
        self.api_key = api_key or None
        self.fallback = fallback or ZipCentroidProvider()

    def miles(self, from_zip: str, to_zip: str) -> DistanceResult:
        """Routed miles; the ZIP-centroid estimate when the API fails in any way."""
        # Unknown ZIPs are the customer's mistake, not an outage: raise before calling out.
        a, b = _endpoints(from_zip, to_zip)
        try:
            metres = _route_metres(self.url, self.api_key, a, b)
        except (requests.RequestException, RoutingError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("Routing API %s failed (%s); using the ZIP-centroid estimate", self.url, exc)
            return self.fallback.miles(from_zip, to_zip)
        # Still an estimate: the route runs between ZIP centres, not the street addresses.
        return DistanceResult(round(metres / METRES_PER_MILE, 1), True, "routing")


def provider_for(config: Mapping[str, Any]) -> DistanceProvider:
    """The routing provider when ROUTING_API_URL is set, else the offline ZIP-centroid one."""
    url = config.get("ROUTING_API_URL")
    if url:
        return RoutingProvider(str(url), api_key=config.get("ROUTING_API_KEY"))
    return ZipCentroidProvider()
