"""The leads forms (read with app.web.forms.read_form; the rules live in the services)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from app.customers.contact import normalise_email, normalise_phone
from app.errors import ValidationFailed
from app.web.forms import FormModel, Id

MAX_GUESTS = 500


class NewLeadForm(FormModel):
    """A lead taken on the phone or at an event."""

    name: str = Field(max_length=120)
    phone: str | None = None
    # Checked after the phone, so that "neither" can be said beside the email input.
    email: str | None = Field(default=None, validate_default=True)
    guests: int | None = Field(default=None, ge=1, le=MAX_GUESTS)
    zip_code: str | None = None
    event_date: date | None = None
    message: str = Field(default="", max_length=5000)
    how_heard: str = Field(default="", max_length=100)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None, info) -> str | None:
        try:
            email = normalise_email(value)
        except ValueError:
            raise ValueError("Not a valid email address.") from None
        if email is None and "phone" in info.data and info.data["phone"] is None:
            raise ValueError("Give an email address or a phone number.")
        return email

    @field_validator("zip_code")
    @classmethod
    def _zip(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 5 and value.isascii() and value.isdigit()):
            raise ValueError("Five digits.")
        return value

    @property
    def attribution(self) -> dict:
        return {"utm_source": self.how_heard} if self.how_heard else {}


class ReturnTo(FormModel):
    """Which page an action came from (its fragment is refreshed), with that page's filters."""

    back: str = "lead"  # board | tasks | lead; anything else: the lead page
    view: str | None = None  # the tasks page's view


class StageForm(FormModel):
    stage: str = ""  # the service says which stages exist
    lost_reason: str = Field(default="", max_length=500)


class NoteForm(FormModel):
    note: str = ""


class QuoteForm(FormModel):
    adults: int = Field(default=0, ge=0)
    children: int = Field(default=0, ge=0)
    toddlers: int = Field(default=0, ge=0)
    zip_code: str | None = None

    def party(self) -> dict[str, int]:
        return self.model_dump(include={"adults", "children", "toddlers"})


class OwnerForm(FormModel):
    owner_id: Id | None = None


class TaskForm(FormModel):
    title: str = ""  # the tasks service says what a title needs
    due_at: str = ""
    owner_id: Id | None = None

    def due(self, timezone: str) -> datetime | None:
        return parse_due(self.due_at, timezone)


class MergeForm(FormModel):
    duplicate_id: Id | None = None


def parse_due(raw: str | None, timezone: str) -> datetime | None:
    """A datetime-local value ("2027-06-05T14:30") read as station-local time, as UTC."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
        if not 2000 <= local.year <= 2100:
            raise ValueError("out of range")  # near year 9999 the timezone arithmetic overflows
    except ValueError:
        raise ValidationFailed(
            "Give the due time as date and time.", fields={"due_at": "Not a date and time."}
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC"))
