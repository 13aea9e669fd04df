"""The one way a staff form is read: a pydantic model per form, and `read_form`.

    class NoteForm(FormModel):
        note: str = Field(min_length=1, max_length=4000)

    data = read_form(NoteForm)          # raises ValidationFailed, fields by input name

Fields are named like the form's inputs. An empty input counts as not sent (the
field's default applies, or "Required."); text is stripped; list fields read every
value of their input (checkboxes, multi-selects); unknown inputs are ignored. Errors
come back as `ValidationFailed.fields` in human words ("Enter a number above 0.",
never "Input should be greater than 0"; or the field's own words, see app.errors),
ready for the template beside each input.
The API reads JSON bodies with the same models and wording (app/api/errors.py).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from email_validator import EmailNotValidError, validate_email
from flask import request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from app.errors import from_pydantic
from app.ids import MAX_ID

F = TypeVar("F", bound="FormModel")

MAX_MONEY = Decimal("1000000")  # dollars: no staff form handles more in one go


class FormModel(BaseModel):
    """A posted form's fields, as the view and the service need them."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_list(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(annotation) if arg is not type(None))
    return origin in (list, tuple, set, frozenset)


def form_data(model: type[FormModel], form: Mapping[str, Any]) -> dict[str, Any]:
    """The model's fields picked from a form (a MultiDict or a plain mapping), blanks left out."""
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if _is_list(field.annotation):
            values = form.getlist(key) if hasattr(form, "getlist") else form.get(key, [])
            values = [v for v in values if str(v).strip()]
            if values:
                data[key] = values
            continue
        value = form.get(key)
        if value is not None and str(value).strip() != "":
            data[key] = value
    return data


def read_form(model: type[F], form: Mapping[str, Any] | None = None, **extra: Any) -> F:
    """The posted form (or `form`) as `model`; ValidationFailed with human messages by input name.

    `extra`: values the view knows that the form does not carry (they override it).
    """
    data = form_data(model, request.form if form is None else form) | extra
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(exc, model) from None


def _dollars_to_cents(value: Any) -> Any:
    """'$1,234.5' -> 123450 (cents). Anything else unreadable: a message, not a guess."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().lstrip("$").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter an amount in dollars, like 120 or 120.50.") from None
    if not amount.is_finite() or abs(amount) > MAX_MONEY:
        raise ValueError(f"Enter an amount of at most ${MAX_MONEY:,.0f}.")
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# A row's id from a form (a select, a hidden input): what the database can hold, or refused.
Id = Annotated[int, Field(gt=0, le=MAX_ID)]

# Dollars typed into a form, as integer cents.
Cents = Annotated[int, BeforeValidator(_dollars_to_cents)]


def _checked_email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)  # no DNS: works offline, answers fast
    except EmailNotValidError:
        raise ValueError("Not a valid email address.") from None
    return value


# An email address as typed, checked (services normalise it).
Email = Annotated[str, AfterValidator(_checked_email)]

# A password exactly as typed: spaces at either end are part of it.
Password = Annotated[str, StringConstraints(strip_whitespace=False, max_length=200)]
