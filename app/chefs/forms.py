"""Forms of the chef pages (read with app.web.forms.read_form; the rules live in app.chefs.services)."""

from __future__ import annotations

from datetime import date, time

from pydantic import Field

from app.chefs.services import ChefData
from app.models.chef import Chef
from app.web.forms import FormModel, Id


class ChefForm(FormModel):
    name: str = ""  # the service says what a name needs
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=255)
    is_active: bool = False  # a checkbox: absent means unticked
    user_id: Id | None = None

    def data_for_service(self) -> ChefData:
        return ChefData(**self.model_dump())

    @staticmethod
    def values_of(chef: Chef | None) -> dict:
        """What the form shows before anything is typed."""
        if chef is None:
            return {"is_active": True}
        return {key: getattr(chef, key) for key in ChefForm.model_fields}


class WindowForm(FormModel):
    weekday: int = Field(default=0, ge=0, le=6)
    starts: time | None = None
    ends: time | None = None


class TimeOffForm(FormModel):
    first_day: date | None = None
    last_day: date | None = None
    reason: str = Field(default="", max_length=2000)


class BlackoutForm(FormModel):
    day: date | None = None
    reason: str = Field(default="", max_length=255)


class DecisionForm(FormModel):
    decision: str = ""  # approve | reject: the service says so otherwise
    back: str = "index"
