"""Per-station settings with the defaults of docs/design.md ("Domain defaults").

Stations store only what an owner changed; `StationSettings.from_overrides` merges
those over the defaults and validates the result, so every reader sees a full,
checked object. Money is integer cents; times are station-local "HH:MM".
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class MenuItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    label: str = Field(min_length=1, max_length=80)
    price_cents: int = Field(ge=0, le=1_000_000)


def _items(*rows: tuple[str, str, int]) -> list[MenuItem]:
    return [MenuItem(key=k, label=label, price_cents=c) for k, label, c in rows]


class StationSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    locale: str = "en_US"

    # Menu, per guest
    adult_price_cents: int = Field(default=5500, ge=0)
    child_price_cents: int = Field(default=3000, ge=0)
    adult_min_age: int = Field(default=13, ge=1, le=21)
    child_min_age: int = Field(default=6, ge=0, le=20)
    proteins: list[str] = ["Chicken", "NY strip", "Shrimp", "Tofu", "Vegetables"]
    proteins_per_guest: int = Field(default=2, ge=1, le=5)
    upgrades: list[MenuItem] = _items(
        ("salmon", "Salmon", 500),
        ("scallops", "Scallops", 500),
        ("filet_mignon", "Filet mignon", 500),
        ("lobster_tail", "Lobster tail", 1500),
        ("extra_protein", "Extra protein", 1000),
    )
    add_ons: list[MenuItem] = _items(
        ("yakisoba", "Yakisoba noodles", 500),
        ("fried_rice", "Fried rice", 500),
        ("vegetables", "Vegetables", 500),
        ("edamame", "Edamame", 500),
        ("gyoza", "Gyoza", 1000),
    )
    party_minimum_cents: int = Field(default=55000, ge=0)

    # Travel
    travel_free_miles: int = Field(default=30, ge=0)
    travel_per_mile_cents: int = Field(default=200, ge=0)
    service_radius_miles: int = Field(default=150, ge=1)

    # Deposit and payment
    deposit_cents: int = Field(default=10000, ge=0)
    deposit_due_hours: int = Field(default=24, ge=1, le=24 * 14)
    # How customers may pay what is not paid online: shown in emails, the payment page and AI replies.
    payment_methods: list[str] = ["Cash", "Venmo", "Zelle", "Check"]
    # Gratuity is never required (docs/design.md); a percentage here is suggested in replies, 0 suggests none.
    gratuity_percent: int = Field(default=0, ge=0, le=50)

    # Slots and booking window
    slot_times: list[str] = ["12:00", "15:00", "18:00", "21:00"]
    slot_duration_minutes: int = Field(default=150, ge=30, le=600)
    lead_time_hours: int = Field(default=48, ge=0)
    horizon_days: int = Field(default=365, ge=1, le=730)

    # Policies
    refund_cutoff_days: int = Field(default=7, ge=0)
    free_reschedules: int = Field(default=1, ge=0)
    reschedule_notice_hours: int = Field(default=24, ge=0)
    guest_count_final_hours: int = Field(default=24, ge=0)
    # The balance is due this many days before the event; reminders with the pay link go out
    # balance_due_days + 4 days before and on the due day (app.selfservice.schedule).
    balance_due_days: int = Field(default=3, ge=0, le=60)

    # Messaging
    reminder_hours_before: int = Field(default=48, ge=1)
    review_request_delay_hours: int = Field(default=24, ge=0)
    review_reminder_days: int = Field(default=3, ge=1)
    quiet_hours_start: str = "21:00"
    quiet_hours_end: str = "08:00"
    first_response_sla_minutes: int = Field(default=60, ge=1)

    # AI drafts: spend per station per day (OpenAI); past it, drafts are offline templates.
    ai_daily_budget_cents: int = Field(default=500, ge=0)

    @field_validator("slot_times")
    @classmethod
    def _slot_times_valid(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one slot time is needed")
        for item in value:
            if not HHMM.match(item):
                raise ValueError(f"{item!r} is not a time like 18:00")
        if len(set(value)) != len(value):
            raise ValueError("slot times repeat")
        return sorted(value)

    @field_validator("payment_methods")
    @classmethod
    def _payment_methods_valid(cls, value: list[str]) -> list[str]:
        methods = [" ".join(item.split()) for item in value if item and item.strip()]
        if not methods:
            raise ValueError("name at least one way to pay")
        if len(methods) > 10 or any(len(item) > 40 for item in methods):
            raise ValueError("at most 10 ways to pay, each under 40 characters")
        if len({item.casefold() for item in methods}) != len(methods):
            raise ValueError("ways to pay repeat")
        return methods

    @field_validator("quiet_hours_start", "quiet_hours_end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not HHMM.match(value):
            raise ValueError(f"{value!r} is not a time like 21:00")
        return value

    @field_validator("upgrades", "add_ons")
    @classmethod
    def _unique_keys(cls, value: list[MenuItem]) -> list[MenuItem]:
        keys = [item.key for item in value]
        if len(set(keys)) != len(keys):
            raise ValueError("item keys repeat")
        return value

    @model_validator(mode="after")
    def _ages_ordered(self) -> StationSettings:
        if self.child_min_age >= self.adult_min_age:
            raise ValueError("children's minimum age must be below the adult age")
        return self

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any]) -> StationSettings:
        # Read several times on every quote, notification and page: validating the full
        # model each time (with its menus) showed up in profiles. The key is the overrides'
        # content, so a saved change is a new key (no invalidation to forget); the model is
        # frozen, so sharing it is safe; invalid overrides raise and are not cached.
        return _validated(json.dumps(overrides, sort_keys=True, default=str))

    def overrides(self) -> dict[str, Any]:
        """Only the values that differ from the defaults (what a station stores)."""
        defaults = StationSettings().model_dump(mode="json")
        return {key: value for key, value in self.model_dump(mode="json").items() if defaults.get(key) != value}

    def payment_methods_text(self) -> str:
        """The ways to pay by hand for emails and pages: "cash, Venmo, Zelle or check"."""
        names = [m.lower() if m.casefold() in ("cash", "check", "card", "cheque") else m for m in self.payment_methods]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"

    def gratuity_text(self) -> str:
        """The gratuity policy in one sentence: never required, with the customary percentage when one is set."""
        if self.gratuity_percent:
            return f"Gratuity is never required; {self.gratuity_percent}% is customary."
        return "Gratuity is appreciated but never required."

    def upgrade(self, key: str) -> MenuItem | None:
        return next((item for item in self.upgrades if item.key == key), None)

    def add_on(self, key: str) -> MenuItem | None:
        return next((item for item in self.add_ons if item.key == key), None)


@lru_cache(maxsize=256)
def _validated(overrides_json: str) -> StationSettings:
    return StationSettings.model_validate(json.loads(overrides_json))


DEFAULT_SETTINGS = StationSettings()
