"""Station forms (read with app.web.forms.read_form)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from pydantic import Field, field_validator

from app.models.station import Station
from app.web.forms import Email, FormModel

US_TIMEZONES = sorted(tz for tz in available_timezones() if tz.startswith(("America/", "Pacific/Honolulu")))
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
FIELDS = ("name", "slug", "timezone", "address", "zip_code", "phone", "email", "is_active")
CHANNEL_FIELDS = ("sms_number", "instagram_account_id", "inbox_email")


class StationForm(FormModel):
    name: str = Field(max_length=120)
    slug: str
    timezone: str = "America/New_York"
    address: str = Field(default="", max_length=255)
    zip_code: str
    phone: str = Field(default="", max_length=32)
    email: Email | None = None
    is_active: bool = False  # a checkbox: absent means unticked
    # Where the inbox receives this station's messages (see README, "Conversations").
    # Empty means "none": NULL keeps the unique constraints out of the way.
    sms_number: str | None = Field(default=None, max_length=32)
    instagram_account_id: str | None = Field(default=None, max_length=64)
    inbox_email: Email | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.fullmatch(value):
            raise ValueError("Lower-case letters, digits and dashes.")
        return value

    @field_validator("zip_code")
    @classmethod
    def _zip(cls, value: str) -> str:
        if not (len(value) == 5 and value.isascii() and value.isdigit()):
            raise ValueError("5 digits.")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        if value not in US_TIMEZONES:
            raise ValueError("Choose a timezone from the list.")
        return value

    def data_for_service(self) -> dict:
        return (
            self.model_dump(include=set(FIELDS))
            | {"email": self.email or ""}
            | {name: getattr(self, name) for name in CHANNEL_FIELDS}
        )

    @staticmethod
    def values_of(station: Station | None) -> dict:
        """What the form shows before anything is typed."""
        if station is None:
            return {"timezone": "America/New_York", "is_active": True}
        return {name: getattr(station, name) for name in (*FIELDS, *CHANNEL_FIELDS)}
