"""The manage page's forms (read with app.web.forms.read_form); the API reads the same models from JSON."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.errors import ValidationFailed
from app.web.forms import FormModel


class SlotChoiceForm(FormModel):
    # The slot picker's "date|slot"; the API sends event_date and slot.
    choice: str = ""
    event_date: str = ""
    slot: str = ""

    def picked(self) -> tuple[date, str]:
        chosen_date, _, chosen_slot = self.choice.partition("|")
        try:
            day = date.fromisoformat(chosen_date or self.event_date)
        except ValueError:
            raise ValidationFailed("Choose a new date and slot.", fields={"choice": "Choose a slot."}) from None
        slot = chosen_slot or self.slot
        if not slot:
            raise ValidationFailed("Choose a new date and slot.", fields={"choice": "Choose a slot."})
        return day, slot


class GuestsForm(FormModel):
    adults: int = Field(ge=1, le=200)
    children: int = Field(default=0, ge=0, le=200)


class CancelForm(FormModel):
    reason: str = Field(default="", max_length=500)


class MessageForm(FormModel):
    body: str = Field(default="", max_length=4000)
