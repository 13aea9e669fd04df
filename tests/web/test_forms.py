"""The form idiom: pydantic models read by read_form, errors in words a person acts on."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator
from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed, from_pydantic, human_message
from app.ids import MAX_ID
from app.web.forms import Cents, Email, FormModel, Id, Password, read_form


class Sample(FormModel):
    name: str = Field(max_length=10)
    guests: int = Field(default=1, gt=0, le=200)
    day: date | None = None
    at: time | None = None
    kind: Literal["faq", "policy"] = "faq"
    tags: list[str] = Field(default_factory=list)
    active: bool = False
    amount: Cents = 0
    owner_id: Id | None = None
    email: Email | None = None
    password: Password = ""

    @field_validator("name")
    @classmethod
    def _no_digits(cls, value: str) -> str:
        if any(ch.isdigit() for ch in value):
            raise ValueError("no digits in a name")
        return value


def _errors(form: dict | MultiDict) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as refused:
        read_form(Sample, MultiDict(form) if isinstance(form, dict) else form)
    assert refused.value.status == 422
    return refused.value.fields


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "name", "Required."),
        ({"name": "   "}, "name", "Required."),  # only spaces is not an answer
        ({"name": "x" * 11}, "name", "At most 10 characters."),
        ({"name": "R2D2"}, "name", "No digits in a name."),  # our own validator's words, as a sentence
        ({"name": "Ann", "guests": "0"}, "guests", "Enter a number above 0."),
        ({"name": "Ann", "guests": "201"}, "guests", "Enter 200 or less."),
        ({"name": "Ann", "guests": "ten"}, "guests", "Enter a whole number."),
        ({"name": "Ann", "guests": "2.5"}, "guests", "Enter a whole number."),
        ({"name": "Ann", "day": "5 June"}, "day", "Enter a date like 2027-06-05."),
        ({"name": "Ann", "at": "25:00"}, "at", "Enter a time like 18:30."),
        ({"name": "Ann", "kind": "rumour"}, "kind", "Choose one of 'faq' or 'policy'."),
        ({"name": "Ann", "active": "maybe"}, "active", "Choose yes or no."),
        ({"name": "Ann", "amount": "lots"}, "amount", "Enter an amount in dollars, like 120 or 120.50."),
        ({"name": "Ann", "amount": "1e400"}, "amount", "Enter an amount of at most $1,000,000."),
        ({"name": "Ann", "owner_id": str(MAX_ID + 1)}, "owner_id", f"Enter {MAX_ID} or less."),
        ({"name": "Ann", "owner_id": "0"}, "owner_id", "Enter a number above 0."),
        ({"name": "Ann", "email": "not-an-address"}, "email", "Not a valid email address."),
    ],
)
def test_every_message_is_in_words_beside_its_input(form, field, message):
    errors = _errors(form)
    assert errors[field] == message
    assert not any("Input should" in text or "Value error" in text for text in errors.values())


def test_a_good_form_reads_typed_values():
    form = MultiDict(
        [
            ("name", "  Ann  "),
            ("guests", "12"),
            ("day", "2027-06-05"),
            ("at", "18:30"),
            ("kind", "policy"),
            ("tags", "vip"),
            ("tags", ""),  # an empty choice is not a choice
            ("tags", "repeat"),
            ("active", "on"),
            ("amount", "$1,234.56"),
            ("owner_id", "7"),
            ("email", "ann@example.com"),
            ("password", "  spaces count  "),
            ("unknown", "ignored"),
        ]
    )
    data = read_form(Sample, form)
    assert data.name == "Ann"  # stripped
    assert (data.guests, data.day, data.at, data.kind) == (12, date(2027, 6, 5), time(18, 30), "policy")
    assert data.tags == ["vip", "repeat"]
    assert data.active is True and data.amount == 123456 and data.owner_id == 7
    assert data.password == "  spaces count  "  # a password is never trimmed


def test_blank_inputs_take_the_defaults():
    data = read_form(Sample, MultiDict({"name": "Ann", "guests": "", "day": "", "owner_id": "", "amount": " "}))
    assert (data.guests, data.day, data.owner_id, data.amount, data.active) == (1, None, None, 0, False)


def test_errors_of_every_field_come_back_at_once_with_a_summary():
    with pytest.raises(ValidationFailed) as refused:
        read_form(Sample, MultiDict({"guests": "0", "day": "x"}))
    assert set(refused.value.fields) == {"name", "guests", "day"}
    assert refused.value.message.startswith("Some fields need a correction (Name: Required.")


class Nested(BaseModel):
    class Customer(BaseModel):
        email: str = Field(min_length=3)

    customer: Customer
    adults: int = Field(ge=1)


def test_the_api_speaks_the_same_words_with_dotted_paths():
    with pytest.raises(ValidationError) as invalid:
        Nested.model_validate({"customer": {"email": ""}, "adults": 0})
    fields = from_pydantic(invalid.value).fields
    assert fields == {"customer.email": "At least 3 characters.", "adults": "Enter 1 or more."}


def test_unknown_kinds_of_error_still_read_as_a_sentence():
    message = human_message({"type": "something_new", "msg": "Input should be a valid thing", "ctx": {}})
    assert message == "Must be a valid thing."


def test_a_staff_form_shows_the_words_beside_the_field(as_role, world):
    """Through a real page: the new-lead form re-rendered with 422 and its field messages."""
    response = as_role("manager").post_form("/s/alpha/leads/new", {"name": "Ann", "guests": "0", "email": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter 1 or more." in html and "Not a valid email address." in html
    assert 'value="Ann"' in html  # what was typed stays
    assert "Input should" not in html


def test_a_model_can_word_its_own_fields():
    from app.bookings.schemas import Party
    from app.errors import from_pydantic as words_of

    with pytest.raises(ValidationError) as invalid:
        Party.model_validate({"adults": 0, "children": -1, "toddlers": 60})
    refused = words_of(invalid.value, Party)
    assert refused.fields == {
        "adults": "Count at least 1 adult (13 and older).",
        "children": "Enter 0 or more children.",
        "toddlers": "Enter 50 or less.",  # no words of its own for this one: the shared wording
    }
    assert refused.message.startswith("Some fields need a correction (Adults: Count at least 1 adult")


def test_the_booking_form_shows_friendly_words(as_role, world):
    html = as_role("manager").post_form("/s/alpha/bookings/new", {"name": "", "adults": "0", "zip_code": "1"})
    text = html.get_data(as_text=True)
    assert html.status_code == 422
    assert "Count at least 1 adult (13 and older)." in text
    assert "Input should" not in text and "greater_than" not in text
