"""What a draft may state, from the station's own services: quote, availability, policies, knowledge.

`Grounder` answers the three questions a reply needs (the OpenAI composer offers them
as tools, the offline composer calls them directly) and records every call with its
result, so the draft's `grounding` shows exactly which numbers it was allowed to use.
Only plain values are kept (`StationInfo`, dicts): nothing here expires when the job
commits before a network call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from flask import current_app
from sqlalchemy import select

from app.ai.drafting import knowledge
from app.availability.services import slots
from app.customers.contact import display_phone
from app.errors import ValidationFailed
from app.extensions import db
from app.models.chef import Blackout
from app.models.station import Station
from app.pricing import MAX_COUNT, OutsideServiceArea, format_money, quote_for_station
from app.stations.settings import StationSettings


@dataclass(frozen=True)
class StationInfo:
    """The station as pricing and availability read it (their protocols), detached from the session."""

    id: int
    name: str
    phone: str
    zip_code: str
    timezone: str
    settings: StationSettings

    @classmethod
    def load(cls, station_id: int) -> StationInfo | None:
        station = db.session.get(Station, station_id)
        if station is None:
            return None
        return cls(
            station.id, station.name, display_phone(station.phone), station.zip_code, station.timezone, station.settings
        )

    def local_today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.timezone)).date()


def babel_locale(settings: StationSettings, language: str) -> str:
    """The station's locale in the reply's language: en_US stays, Spanish becomes es_US, French plain fr."""
    region = settings.locale.partition("_")[2]
    if not region:
        return language
    try:
        Locale.parse(f"{language}_{region}")
    except (UnknownLocaleError, ValueError):
        return language
    return f"{language}_{region}"


@dataclass
class Grounder:
    station: StationInfo
    language: str
    now: datetime
    calls: list[dict[str, Any]] = field(default_factory=list)

    def money(self, cents: int) -> str:
        """Money always in the station's own locale: the numbers guard and the customer read one format."""
        settings = self.station.settings
        return format_money(cents, settings.currency, settings.locale)

    def display_date(self, day: date, *, weekday: bool = True) -> str:
        patterns = {"es": "EEEE d 'de' MMMM", "fr": "EEEE d MMMM", "en": "EEEE, MMMM d"}
        pattern = patterns.get(self.language, patterns["en"])
        if not weekday:
            pattern = pattern.removeprefix("EEEE, ").removeprefix("EEEE ")
        return format_date(day, pattern, locale=babel_locale(self.station.settings, self.language))

    def display_time(self, hhmm: str) -> str:
        hour, minute = (int(part) for part in hhmm.split(":"))
        if self.language in ("es", "fr"):
            return hhmm
        shown = format_time(time(hour, minute), "h:mm a", locale=babel_locale(self.station.settings, "en"))
        return shown.replace("\u202f", " ")  # CLDR's narrow no-break space garbles on some phones

    def _record(self, name: str, arguments: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        self.calls.append({"name": name, "arguments": arguments, "result": result})
        return result

    # The tools -----------------------------------------------------------------------

    def get_quote(
        self,
        adults: int,
        children: int = 0,
        zip_code: str | None = None,
        event_date: str | None = None,
        *,
        toddlers: int = 0,
        upgrades: dict[str, int] | None = None,
        add_ons: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """The pricing engine's full quote (guests, upgrades, add-ons, travel to a ZIP), and a date's availability."""
        arguments = {
            "adults": adults,
            "children": children,
            "toddlers": toddlers,
            "zip_code": zip_code,
            "event_date": event_date,
            "upgrades": upgrades or {},
            "add_ons": add_ons or {},
        }
        result = self._quote(adults, children, toddlers, zip_code, upgrades, add_ons)
        if event_date:
            result["availability"] = self.check_availability(event_date)
        return self._record("get_quote", arguments, result)

    def quote_party(
        self,
        adults: int,
        children: int,
        toddlers: int,
        zip_code: str | None,
        upgrades: dict[str, int] | None = None,
        add_ons: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """The offline composer's quote: the same service and tool record."""
        return self.get_quote(adults, children, zip_code, toddlers=toddlers, upgrades=upgrades, add_ons=add_ons)

    def travel_to(self, zip_code: str) -> dict[str, Any]:
        """The pricing engine's travel fee and distance to a ZIP (priced on the smallest party: travel does not
        depend on it), or that it is outside the service area."""
        priced = self._quote(1, 0, 0, zip_code)
        if priced.get("code") == "outside_service_area":
            return {"outside": True, "miles": round(priced["miles"]), "radius": priced["radius_miles"]}
        if "error" in priced or priced.get("travel_note") or priced.get("distance_miles") is None:
            return {"unknown_place": True}
        return {
            "outside": False,
            "miles": round(priced["distance_miles"]),
            "travel_cents": priced["travel_cents"],
            "travel": priced["display"]["travel"],
        }

    def _quote(
        self,
        adults: Any,
        children: Any,
        toddlers: Any,
        zip_code: Any,
        upgrades: dict[str, int] | None = None,
        add_ons: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        counts = {"adults": adults, "children": children or 0, "toddlers": toddlers or 0}
        if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_COUNT for n in counts.values()):
            return {"error": f"Guest counts must be whole numbers from 0 to {MAX_COUNT}."}
        menus = {"upgrades": dict(upgrades or {}), "add_ons": dict(add_ons or {})}
        if not all(isinstance(menu, dict) for menu in (upgrades or {}, add_ons or {})):
            return {"error": "Upgrades and add-ons are objects of item key to quantity."}
        zip_code = str(zip_code or "").strip() or None  # the model may send 30313 as a number
        config = current_app.config
        try:
            priced = quote_for_station(self.station, {**counts, **menus}, to_zip=zip_code, config=config)
        except ValidationFailed as exc:
            if zip_code and "zip_code" in exc.fields and exc.code != "outside_service_area":
                # An unknown ZIP still leaves a useful quote: the food, with travel to confirm.
                result = self._quote(adults, children, toddlers, None, upgrades, add_ons)
                result["travel_note"] = exc.fields["zip_code"]
                return result
            error = {"error": exc.message, "code": exc.code, "fields": exc.fields}
            if isinstance(exc, OutsideServiceArea):
                error.update(miles=round(exc.miles, 1), radius_miles=exc.radius_miles)
            return error
        settings = self.station.settings
        minimum = next((line for line in priced.lines if line.kind == "minimum"), None)
        extras = [line for line in priced.lines if line.kind in ("upgrade", "add_on")]
        return {
            **counts,
            **menus,
            "extras": [
                {"label": line.label, "quantity": line.quantity, "amount_cents": line.amount_cents} for line in extras
            ],
            "guests": sum(counts.values()),
            "zip_code": zip_code,
            "currency": priced.currency,
            "total_cents": priced.total_cents,
            "food_cents": priced.subtotal_cents,
            "travel_cents": priced.travel_cents,
            "deposit_cents": priced.deposit_cents,
            "balance_cents": priced.balance_cents,
            "adult_price_cents": settings.adult_price_cents,
            "child_price_cents": settings.child_price_cents,
            "minimum_applied": priced.minimum_applied,
            "party_minimum_cents": settings.party_minimum_cents,
            # The pricing service's own words for the minimum, so every channel says it the same way.
            "minimum_label": minimum.label if minimum else None,
            "distance_miles": priced.distance_miles,
            "display": {
                "total": self.money(priced.total_cents),
                "travel": self.money(priced.travel_cents),
                "deposit": self.money(priced.deposit_cents),
                "balance": self.money(priced.balance_cents),
                "per_adult": self.money(settings.adult_price_cents),
                "per_child": self.money(settings.child_price_cents),
                "minimum": self.money(settings.party_minimum_cents),
            },
        }

    def check_availability(self, day: str, time_of_day: str | None = None) -> dict[str, Any]:
        """The slots open on a station-local date, or why none are."""
        arguments = {"date": day, **({"time": time_of_day} if time_of_day else {})}
        try:
            asked = date.fromisoformat(str(day).strip()[:10])
        except ValueError:
            return self._record("check_availability", arguments, {"error": "Send the date as YYYY-MM-DD."})
        infos = slots(self.station, asked, asked, now=self.now)
        open_slots = [info.slot_time for info in infos if info.bookable]
        result: dict[str, Any] = {
            "date": asked.isoformat(),
            "display_date": self.display_date(asked),
            "status": "open" if open_slots else self._closed_status(asked, [info.reason for info in infos]),
            "open_slots": open_slots,
            "display_slots": [self.display_time(slot) for slot in open_slots],
        }
        if time_of_day:
            result["asked_time"] = time_of_day
            result["asked_time_open"] = time_of_day in open_slots
        return self._record("check_availability", arguments, result)

    def _closed_status(self, day: date, reasons: list[str]) -> str:
        if day < self.station.local_today(self.now) or (reasons and set(reasons) == {"too soon"}):
            return "too_soon"
        if "too far ahead" in reasons:
            return "outside_horizon"
        blackout = db.session.scalar(
            select(Blackout.id).where(Blackout.station_id == self.station.id, Blackout.day == day).limit(1)
        )
        if blackout is not None:
            return "blacked_out"
        return "full"  # every slot sold, or no chef works that day: either way, nothing to offer

    def customer_bookings(self, bookings: list[Any]) -> dict[str, Any]:
        """The customer's upcoming bookings (looked up once by the grounding stage), as the tool answers them."""
        shown = [
            {
                **booking.as_dict(),
                "display_date": self.display_date(booking.event_date),
                "total": self.money(booking.total_cents),
            }
            for booking in bookings
        ]
        return self._record("get_customer_bookings", {}, {"bookings": shown})

    def search_knowledge_base(self, query: str) -> dict[str, Any]:
        """The station's FAQ and policy entries that best answer `query`."""
        hits = knowledge.search(self.station.id, str(query or ""))
        return self._record("search_knowledge_base", {"query": query}, {"entries": [h.as_dict() for h in hits]})

    def policies(self) -> dict[str, Any]:
        """Deposit, minimum, travel and cancellation numbers from the station's settings."""
        s = self.station.settings
        return {
            "currency": s.currency,
            "adult_price_cents": s.adult_price_cents,
            "child_price_cents": s.child_price_cents,
            "adult_min_age": s.adult_min_age,
            "child_min_age": s.child_min_age,
            "child_max_age": s.adult_min_age - 1,
            "party_minimum_cents": s.party_minimum_cents,
            "deposit_cents": s.deposit_cents,
            "deposit_due_hours": s.deposit_due_hours,
            "refund_cutoff_days": s.refund_cutoff_days,
            "free_reschedules": s.free_reschedules,
            "reschedule_notice_hours": s.reschedule_notice_hours,
            "guest_count_final_hours": s.guest_count_final_hours,
            "travel_free_miles": s.travel_free_miles,
            "travel_per_mile_cents": s.travel_per_mile_cents,
            "service_radius_miles": s.service_radius_miles,
            "proteins_per_guest": s.proteins_per_guest,
            "proteins": list(s.proteins),
            "slot_times": list(s.slot_times),
            "upgrades": [{"key": i.key, "label": i.label, "price_cents": i.price_cents} for i in s.upgrades],
            "add_ons": [{"key": i.key, "label": i.label, "price_cents": i.price_cents} for i in s.add_ons],
            "payment_methods": list(s.payment_methods),
            "gratuity_percent": s.gratuity_percent,
            "lead_time_hours": s.lead_time_hours,
            "horizon_days": s.horizon_days,
            "display": {
                "deposit": self.money(s.deposit_cents),
                "minimum": self.money(s.party_minimum_cents),
                "per_adult": self.money(s.adult_price_cents),
                "per_child": self.money(s.child_price_cents),
                "per_mile": self.money(s.travel_per_mile_cents),
            },
        }
