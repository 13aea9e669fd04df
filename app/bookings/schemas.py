"""Request schemas for bookings and quotes: one definition validates the public API,
the staff form and generates the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from app.customers.contact import normalise_email, normalise_phone

Zip = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
SlotTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Quantities = dict[Annotated[str, StringConstraints(max_length=40)], Annotated[int, Field(ge=1, le=200)]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL text cannot hold NUL: refuse it as bad input, never a 500.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text may not contain NUL characters")
        return value


class Party(Strict):
    # This form's own words for its refusals (app.errors.from_pydantic), beside each input.
    FIELD_ERRORS: ClassVar[dict[str, dict[str, str]]] = {
        "adults": {
            "greater_than_equal": "Count at least 1 adult (13 and older).",
            "less_than_equal": "At most 200 adults in one booking.",
            "int_parsing": "Enter the number of adults, like 10.",
        },
        "children": {"greater_than_equal": "Enter 0 or more children.", "int_parsing": "Enter a number, like 2."},
        "toddlers": {"greater_than_equal": "Enter 0 or more toddlers.", "int_parsing": "Enter a number, like 1."},
    }

    adults: int = Field(ge=1, le=200, description="Guests 13 and older")
    children: int = Field(default=0, ge=0, le=200, description="Guests 6 to 12")
    toddlers: int = Field(default=0, ge=0, le=50, description="5 and under, free")
    upgrades: Quantities = Field(default_factory=dict, description="upgrade key -> portions")
    add_ons: Quantities = Field(default_factory=dict, description="add-on key -> portions")


class QuoteRequest(Party):
    station: str = Field(max_length=60, description="Station slug")
    zip_code: Zip | None = Field(default=None, description="Party ZIP, for the travel fee")


class CustomerIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(max_length=255)
    phone: str = Field(min_length=7, max_length=32)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value) or _missing("email")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value) or _missing("phone")


def _missing(name: str):
    raise ValueError(f"{name} is required")


class ConsentIn(Strict):
    """Marketing consent, each channel on its own, with the exact text the customer saw."""

    email: bool = False
    email_text: str = Field(default="", max_length=1000)
    sms: bool = False
    sms_text: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _text_with_consent(self) -> ConsentIn:
        for channel in ("email", "sms"):
            if getattr(self, channel) and not getattr(self, f"{channel}_text"):
                raise ValueError(f"the consent text shown is required when {channel} is true")
        return self


class Attribution(Strict):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    utm_source: str | None = Field(default=None, max_length=100)
    utm_medium: str | None = Field(default=None, max_length=100)
    utm_campaign: str | None = Field(default=None, max_length=100)
    utm_term: str | None = Field(default=None, max_length=100)
    utm_content: str | None = Field(default=None, max_length=100)
    referrer: str | None = Field(default=None, max_length=500)
    landing_page: str | None = Field(default=None, max_length=500)
    qr_code: str | None = Field(default=None, max_length=40)


class BookingRequest(Party):
    station: str = Field(max_length=60, description="Station slug")
    customer: CustomerIn
    address: str = Field(min_length=5, max_length=255)
    zip_code: Zip
    event_date: date
    slot: SlotTime = Field(description="Station-local start time, one of the station's slots")
    proteins: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list, max_length=20)
    allergies: str = Field(default="", max_length=2000)
    notes: str = Field(default="", max_length=2000)
    consent: ConsentIn = Field(default_factory=ConsentIn)
    attribution: Attribution = Field(default_factory=Attribution)


class StaffBookingRequest(BookingRequest):
    """What staff may set on top of the public request."""

    discount_cents: int = Field(default=0, ge=0, le=10_000_000)
    source: str = Field(default="phone", pattern=r"^(phone|walk_in|email|lead|staff)$")
