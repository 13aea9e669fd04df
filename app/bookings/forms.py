"""The staff booking form: HTML fields <-> the StaffBookingRequest schema."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.bookings.schemas import Party, StaffBookingRequest
from app.errors import ValidationFailed, from_pydantic
from app.stations.settings import StationSettings

# What staff read out on the phone before ticking the boxes (stored with the booking).
PHONE_CONSENT_TEXT = {
    "email": "The customer agreed on the phone to receive news and offers by email.",
    "sms": "The customer agreed on the phone to receive texts with news and offers. Msg & data rates may apply.",
}


def _int(value: Any, default: int = 0) -> int | Any:
    text = str(value if value is not None else "").strip()
    if text == "":
        return default
    try:
        return int(text)
    except ValueError:
        return text  # let the schema say what is wrong


def _quantities(form, prefix: str, items) -> dict[str, int]:
    result: dict[str, int] = {}
    for item in items:
        qty = _int(form.get(f"{prefix}{item.key}"), 0)
        if qty != 0:
            result[item.key] = qty
    return result


def party_from_form(form, settings: StationSettings) -> dict[str, Any]:
    return {
        "adults": _int(form.get("adults"), 0),
        "children": _int(form.get("children"), 0),
        "toddlers": _int(form.get("toddlers"), 0),
        "upgrades": _quantities(form, "upgrade_", settings.upgrades),
        "add_ons": _quantities(form, "addon_", settings.add_ons),
    }


def parse_party(form, settings: StationSettings) -> Party:
    try:
        return Party.model_validate(party_from_form(form, settings))
    except ValidationError as exc:
        raise from_pydantic(exc) from None


def discount_cents(form) -> int:
    text = (form.get("discount") or "").strip().lstrip("$")
    if not text:
        return 0
    try:
        return round(float(text) * 100)
    except ValueError:
        raise ValidationFailed("Enter the discount in dollars.", fields={"discount": "A number."}) from None


def parse_booking_form(form, station_slug: str, settings: StationSettings) -> StaffBookingRequest:
    data = {
        **party_from_form(form, settings),
        "station": station_slug,
        "customer": {
            "name": form.get("name", ""),
            "email": form.get("email", ""),
            "phone": form.get("phone", ""),
        },
        "address": form.get("address", ""),
        "zip_code": form.get("zip_code", ""),
        "event_date": form.get("event_date", ""),
        "slot": form.get("slot", ""),
        "proteins": form.getlist("proteins") if hasattr(form, "getlist") else [],
        "allergies": form.get("allergies", ""),
        "notes": form.get("notes", ""),
        "consent": {
            "email": form.get("consent_email") == "1",
            "email_text": PHONE_CONSENT_TEXT["email"] if form.get("consent_email") == "1" else "",
            "sms": form.get("consent_sms") == "1",
            "sms_text": PHONE_CONSENT_TEXT["sms"] if form.get("consent_sms") == "1" else "",
        },
        "discount_cents": discount_cents(form),
        "source": form.get("source") or "phone",
    }
    try:
        return StaffBookingRequest.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(exc) from None


# Schema paths -> form field names, to show errors beside the right input.
FIELD_NAMES = {"customer.name": "name", "customer.email": "email", "customer.phone": "phone", "slot": "slot"}


def form_errors(error: ValidationFailed) -> dict[str, str]:
    return {FIELD_NAMES.get(key, key.split(".")[0]): message for key, message in error.fields.items()}
