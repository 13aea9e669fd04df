"""Price a hibachi party from a station's settings: pure functions, integer cents."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from babel.numbers import format_currency, get_currency_precision

from app.errors import ValidationFailed
from app.pricing.distance import DistanceResult
from app.stations.settings import MenuItem, StationSettings

# A sanity bound on every count and quantity: no one chef cooks for more, and it keeps
# absurd input from producing absurd (or overflowing) numbers downstream.
MAX_COUNT = 200
# Digit strings from forms; bounded so int() never meets a 10,000-digit string.
WHOLE = re.compile(r"^-?[0-9]{1,9}$")
QUOTE_FORMAT_VERSION = 1  # bump when as_dict changes shape, so old snapshots stay readable

LineKind = Literal["guests", "upgrade", "add_on", "minimum", "travel", "discount"]
# What the party minimum covers.
FOOD_KINDS: frozenset[str] = frozenset({"guests", "upgrade", "add_on", "minimum"})


class OutsideServiceArea(ValidationFailed):
    """The party is farther away than the station travels."""

    code = "outside_service_area"

    def __init__(
        self,
        miles: float,
        radius_miles: int,
        *,
        station_name: str | None = None,
        estimate: bool = True,
    ):
        about = "about " if estimate else ""
        who = f"{station_name} serves" if station_name else "we serve"
        message = f"That address is {about}{miles:.1f} miles away; {who} parties within {radius_miles} miles."
        super().__init__(message, fields={"zip_code": message})
        self.miles = miles
        self.radius_miles = radius_miles


@dataclass(frozen=True)
class PartyRequest:
    """What a customer asks for: guests, menu extras, an optional discount and distance."""

    adults: int
    children: int = 0
    toddlers: int = 0
    upgrades: dict[str, int] = field(default_factory=dict)
    add_ons: dict[str, int] = field(default_factory=dict)
    discount_cents: int = 0
    distance: DistanceResult | None = None

    @classmethod
    def from_fields(
        cls, data: Mapping[str, Any], *, distance: DistanceResult | None = None, discount_cents: int = 0
    ) -> PartyRequest:
        """Parse form or JSON fields (strings allowed); the discount never comes from `data`.

        Zero quantities are dropped, since forms send every menu input, chosen or not.
        """
        if not isinstance(data, Mapping):
            message = "Send the party as an object of fields."
            raise ValidationFailed(message, fields={"body": message})
        errors: dict[str, str] = {}
        counts = {name: _whole(data.get(name), name, errors) for name in ("adults", "children", "toddlers")}
        menus: dict[str, dict[str, int]] = {}
        for name in ("upgrades", "add_ons"):
            raw = data.get(name) or {}
            if not isinstance(raw, Mapping):
                errors[name] = "Send an object of item key to quantity."
                raw = {}
            parsed = {str(k): _whole(v, f"{name}.{k}", errors) for k, v in raw.items()}
            menus[name] = {k: v for k, v in parsed.items() if v != 0}
        if errors:
            raise ValidationFailed("Please check the party details.", fields=errors)
        return cls(**counts, **menus, discount_cents=discount_cents, distance=distance)


def _whole(value: Any, name: str, errors: dict[str, str]) -> int:
    """An int from an int or a digit string; records an error (and returns 0) otherwise."""
    if value in (None, ""):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and WHOLE.match(value.strip()):
        return int(value.strip())
    errors[name] = "A whole number, please."
    return 0


@dataclass(frozen=True)
class QuoteLine:
    """One line of the breakdown; `key` names the menu item or guest kind it prices."""

    label: str
    quantity: int
    unit_cents: int
    amount_cents: int
    kind: LineKind
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe copy."""
        return {
            "label": self.label,
            "quantity": self.quantity,
            "unit_cents": self.unit_cents,
            "amount_cents": self.amount_cents,
            "kind": self.kind,
            "key": self.key,
        }


@dataclass(frozen=True)
class Quote:
    """A priced party: the breakdown lines, totals, deposit and balance (integer cents)."""

    lines: list[QuoteLine]
    subtotal_cents: int  # food (guests, upgrades, add-ons) after the party minimum
    minimum_applied: bool
    travel_cents: int
    discount_cents: int  # as applied (capped), positive
    total_cents: int
    deposit_cents: int
    balance_cents: int
    currency: str
    distance_miles: float | None
    distance_is_estimate: bool | None
    distance_method: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: the API response and the snapshot stored on a booking."""
        return {
            "version": QUOTE_FORMAT_VERSION,
            "currency": self.currency,
            "lines": [line.as_dict() for line in self.lines],
            "subtotal_cents": self.subtotal_cents,
            "minimum_applied": self.minimum_applied,
            "travel_cents": self.travel_cents,
            "discount_cents": self.discount_cents,
            "total_cents": self.total_cents,
            "deposit_cents": self.deposit_cents,
            "balance_cents": self.balance_cents,
            "distance": None
            if self.distance_miles is None
            else {
                "miles": self.distance_miles,
                "estimate": self.distance_is_estimate,
                "method": self.distance_method,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quote:
        """The inverse of as_dict (reads a booking's stored snapshot)."""
        distance = data.get("distance") or {}
        return cls(
            lines=[QuoteLine(**{**line, "key": line.get("key")}) for line in data["lines"]],
            subtotal_cents=int(data["subtotal_cents"]),
            minimum_applied=bool(data["minimum_applied"]),
            travel_cents=int(data["travel_cents"]),
            discount_cents=int(data["discount_cents"]),
            total_cents=int(data["total_cents"]),
            deposit_cents=int(data["deposit_cents"]),
            balance_cents=int(data["balance_cents"]),
            currency=str(data["currency"]),
            distance_miles=distance.get("miles"),
            distance_is_estimate=distance.get("estimate"),
            distance_method=distance.get("method"),
        )


def format_money(cents: int, currency: str = "USD", locale: str = "en_US") -> str:
    """Minor units as display money, e.g. 55000 -> "$550.00" (JPY has no minor unit)."""
    amount = Decimal(cents).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=locale)


def _check_items(kind: str, wanted: dict[str, int], menu: list[MenuItem], errors: dict[str, str]) -> None:
    """Unknown keys and out-of-range quantities of one menu, into `errors`."""
    valid = ", ".join(item.key for item in menu) or "none"
    noun = "upgrade" if kind == "upgrades" else "add-on"
    known = {item.key for item in menu}
    for key, qty in wanted.items():
        name = f"{kind}.{key}"
        if key not in known:
            errors[name] = f"There is no {noun} {key!r}; choose from: {valid}."
        elif isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_COUNT:
            errors[name] = f"Choose a quantity from 1 to {MAX_COUNT}."


def check_service_area(
    settings: StationSettings, distance: DistanceResult | None, *, station_name: str | None = None
) -> None:
    """OutsideServiceArea when `distance` is beyond the station's service radius."""
    radius = settings.service_radius_miles
    if distance is None or not distance.miles > radius:  # "not >" lets NaN reach validate's check
        return
    raise OutsideServiceArea(distance.miles, radius, station_name=station_name, estimate=distance.estimate)


def validate(settings: StationSettings, party: PartyRequest, *, station_name: str | None = None) -> None:
    """Refuse what cannot be priced: ValidationFailed with a message per field."""
    # Distance first: a party we cannot reach should hear so before fixing anything else.
    check_service_area(settings, party.distance, station_name=station_name)
    errors: dict[str, str] = {}
    if party.distance is not None and not (math.isfinite(party.distance.miles) and party.distance.miles >= 0):
        errors["distance"] = "The distance must be a non-negative number of miles."
    for name in ("adults", "children", "toddlers"):
        value = getattr(party, name)
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = "A whole number, please."
        elif value < 0:
            errors[name] = "Cannot be negative."
        elif value > MAX_COUNT:
            errors[name] = f"At most {MAX_COUNT}; call us for larger events."
    if "adults" not in errors and party.adults < 1:
        errors["adults"] = "At least one adult, please."
    for kind, menu in (("upgrades", settings.upgrades), ("add_ons", settings.add_ons)):
        wanted = getattr(party, kind)
        if isinstance(wanted, Mapping):
            _check_items(kind, wanted, menu, errors)
        else:
            errors[kind] = "Send an object of item key to quantity."
    discount = party.discount_cents
    if isinstance(discount, bool) or not isinstance(discount, int) or discount < 0:
        errors["discount_cents"] = "A discount is a whole, non-negative number of cents."
    if errors:
        raise ValidationFailed("Please check the party details.", fields=errors)


def _menu_lines(kind: LineKind, wanted: dict[str, int], menu: list[MenuItem]) -> list[QuoteLine]:
    """Lines for the chosen items, in menu order so breakdowns read the same every time."""
    chosen = [(item, wanted[item.key]) for item in menu if item.key in wanted]
    return [QuoteLine(i.label, qty, i.price_cents, qty * i.price_cents, kind, i.key) for i, qty in chosen]


def quote(settings: StationSettings, party: PartyRequest, *, station_name: str | None = None) -> Quote:
    """Price `party` with `settings`; raises ValidationFailed (or OutsideServiceArea)."""
    validate(settings, party, station_name=station_name)
    s = settings
    label = f"Adults ({s.adult_min_age}+)"
    adults = party.adults * s.adult_price_cents
    lines = [QuoteLine(label, party.adults, s.adult_price_cents, adults, "guests", "adults")]
    if party.children:
        label = f"Children ({s.child_min_age}-{s.adult_min_age - 1})"
        children = party.children * s.child_price_cents
        lines.append(QuoteLine(label, party.children, s.child_price_cents, children, "guests", "children"))
    if party.toddlers:
        # Free, but listed so the chef and the customer both see the head count.
        label = f"Children under {s.child_min_age} (free)"
        lines.append(QuoteLine(label, party.toddlers, 0, 0, "guests", "toddlers"))
    lines += _menu_lines("upgrade", party.upgrades, s.upgrades)
    lines += _menu_lines("add_on", party.add_ons, s.add_ons)

    # The minimum covers the food only; travel and discounts are settled on top of it.
    food = sum(line.amount_cents for line in lines if line.kind in FOOD_KINDS)
    minimum_applied = food < s.party_minimum_cents
    if minimum_applied:
        top_up = s.party_minimum_cents - food
        label = f"Raised to the party minimum of {format_money(s.party_minimum_cents, s.currency, s.locale)}"
        lines.append(QuoteLine(label, 1, top_up, top_up, "minimum"))
    subtotal = max(food, s.party_minimum_cents)

    travel = 0
    if party.distance is not None:
        # Whole miles, rounded up: the chef drives the part-mile too.
        billable = max(0, math.ceil(party.distance.miles) - s.travel_free_miles)
        travel = billable * s.travel_per_mile_cents
        about = "about " if party.distance.estimate else ""
        how_far = f"{about}{party.distance.miles:.1f} mi"
        if billable:
            label = f"Travel: {billable} mi beyond the first {s.travel_free_miles} free ({how_far})"
        else:
            label = f"Travel: within the first {s.travel_free_miles} free miles ({how_far})"
        lines.append(QuoteLine(label, billable, s.travel_per_mile_cents, travel, "travel"))

    # A discount can bring the total to zero, never below.
    discount = min(party.discount_cents, subtotal + travel)
    if discount:
        lines.append(QuoteLine("Discount", 1, -discount, -discount, "discount"))
    total = subtotal + travel - discount
    deposit = min(s.deposit_cents, total)
    return Quote(
        lines=lines,
        subtotal_cents=subtotal,
        minimum_applied=minimum_applied,
        travel_cents=travel,
        discount_cents=discount,
        total_cents=total,
        deposit_cents=deposit,
        balance_cents=total - deposit,
        currency=s.currency,
        distance_miles=party.distance.miles if party.distance else None,
        distance_is_estimate=party.distance.estimate if party.distance else None,
        distance_method=party.distance.method if party.distance else None,
    )
