"""The booking pages' forms (read with app.web.forms.read_form).

The staff booking form feeds the same StaffBookingRequest schema the public API's
BookingRequest extends: its inputs are flat (name, email...) where the schema nests
(customer.name...), so `parse_booking_form` maps them, and maps the errors back.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, ValidationError

from app.bookings.schemas import Party, StaffBookingRequest
from app.errors import ValidationFailed, from_pydantic, invalid_fields
from app.stations.settings import StationSettings
from app.web.forms import Cents, FormModel, Id, read_form

# What staff read out on the phone before ticking the boxes (stored with the booking).
PHONE_CONSENT_TEXT = {
    "email": "The customer agreed on the phone to receive news and offers by email.",
    "sms": "The customer agreed on the phone to receive texts with news and offers. Msg & data rates may apply.",
}

NOTE = Field(default="", max_length=4000)


class NoteForm(FormModel):
    note: str = NOTE


class CancelForm(FormModel):
    reason: str = Field(default="", max_length=2000)


class ChefChoiceForm(FormModel):
    chef_id: Id | None = None  # empty: unassign


class RescheduleForm(FormModel):
    # One radio "date|slot" from the page; separate fields from other clients.
    choice: str = ""
    event_date: str = ""
    slot: str = ""
    note: str = NOTE

    def new_slot(self) -> tuple[date, str]:
        chosen_date, _, chosen_slot = self.choice.partition("|")
        try:
            return date.fromisoformat(chosen_date or self.event_date), chosen_slot or self.slot
        except ValueError:
            raise ValidationFailed("Choose a new date and slot.", fields={"choice": "Required."}) from None


class PaymentForm(FormModel):
    """Money received outside Stripe (the service checks method, kind and the balance)."""

    amount: Cents
    method: str = ""
    kind: str = "deposit"
    note: str = Field(default="", max_length=2000)


class DiscountForm(FormModel):
    discount: Cents = Field(default=0, ge=0)


class BookingForm(DiscountForm):
    """The staff booking form's inputs but the party's quantities (one per menu item of the
    station: `party_from_form`). Everything is checked by StaffBookingRequest."""

    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    zip_code: str = ""
    event_date: str = ""
    slot: str = ""
    choice: str = ""  # the slot picker's "date|slot" (it wins over event_date and slot)
    proteins: list[str] = Field(default_factory=list)
    allergies: str = ""
    notes: str = ""
    source: Literal["phone", "walk_in", "email", "lead", "staff"] = "phone"
    consent_email: bool = False
    consent_sms: bool = False
    lead_id: Id | None = None


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
    """Guests and the menu's quantities (one input per upgrade and add-on of the station)."""
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
        raise from_pydantic(exc, Party) from None


# Schema paths -> form input names, to show errors beside the right input.
FIELD_NAMES = {"customer.name": "name", "customer.email": "email", "customer.phone": "phone"}


def form_errors(error: ValidationFailed) -> dict[str, str]:
    """A refusal's field messages keyed by the form's input names."""
    return {FIELD_NAMES.get(key, key.split(".")[0]): message for key, message in error.fields.items()}


def parse_booking_form(form, station_slug: str, settings: StationSettings) -> tuple[StaffBookingRequest, int | None]:
    """The request the booking service takes, and the lead it converts (if any)."""
    errors: dict[str, str] = {}
    try:
        typed = read_form(BookingForm, form)
    except ValidationFailed as error:
        errors, typed = error.fields, BookingForm()
    consent = {}
    for channel in ("email", "sms"):
        agreed = getattr(typed, f"consent_{channel}")
        consent |= {channel: agreed, f"{channel}_text": PHONE_CONSENT_TEXT[channel] if agreed else ""}
    picked_date, _, picked_slot = typed.choice.partition("|")
    data = {
        **party_from_form(form, settings),
        **typed.model_dump(include={"address", "zip_code", "event_date", "slot", "proteins", "allergies", "notes"}),
        **({"event_date": picked_date, "slot": picked_slot} if typed.choice else {}),
        "station": station_slug,
        "customer": typed.model_dump(include={"name", "email", "phone"}),
        "consent": consent,
        "discount_cents": typed.discount,
        "source": typed.source,
    }
    try:
        request = StaffBookingRequest.model_validate(data)
    except ValidationError as exc:
        errors = form_errors(from_pydantic(exc, StaffBookingRequest)) | errors
    if errors:
        raise invalid_fields(errors)
    return request, typed.lead_id
