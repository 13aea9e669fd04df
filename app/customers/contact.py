"""Normalising contact details: lower-cased emails, E.164 phone numbers."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, field_validator


def normalise_email(value: str | None) -> str | None:
    """The address lower-cased and checked, None when empty; ValueError when invalid."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return checked.normalized.lower()


def normalise_phone(value: str | None, region: str = "US") -> str | None:
    """The number in E.164 (+14045550100), None when empty; ValueError when invalid."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("Enter a phone number like (404) 555-0100.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("That phone number is not valid.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


class OptionalContact(BaseModel):
    """A request model's optional `email` and `phone`, normalised the one way the app matches on.

    Lower-case email and E.164 phone; an invalid one is a validation error naming the field.
    """

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value)

    @field_validator("phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value)
