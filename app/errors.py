"""Domain errors: what a service refuses, with a message a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. Views show `message`; the API answers `status` as JSON."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


# Pydantic's messages are written for programmers ("Input should be greater than 0"):
# every form and the API say it the way a person would ("Enter a number above 0."). A model
# can word its own fields: `FIELD_ERRORS = {"adults": {"greater_than_equal": "Count at least
# 1 adult."}}` (a ClassVar), used when the model is passed to `from_pydantic`.
_WORDING: dict[str, str] = {
    "missing": "Required.",
    "string_too_long": "At most {max_length} characters.",
    "too_short": "Choose at least {min_length}.",
    "too_long": "At most {max_length}.",
    "greater_than": "Enter a number above {gt}.",
    "greater_than_equal": "Enter {ge} or more.",
    "less_than": "Enter a number below {lt}.",
    "less_than_equal": "Enter {le} or less.",
    "multiple_of": "Enter a multiple of {multiple_of}.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "float_type": "Enter a number.",
    "decimal_parsing": "Enter a number.",
    "decimal_type": "Enter a number.",
    "finite_number": "Enter a number.",
    "bool_parsing": "Choose yes or no.",
    "bool_type": "Choose yes or no.",
    "date_parsing": "Enter a date like 2027-06-05.",
    "date_from_datetime_parsing": "Enter a date like 2027-06-05.",
    "date_from_datetime_inexact": "Enter a date like 2027-06-05.",
    "date_type": "Enter a date like 2027-06-05.",
    "time_parsing": "Enter a time like 18:30.",
    "time_type": "Enter a time like 18:30.",
    "datetime_parsing": "Enter a date and time like 2027-06-05 18:30.",
    "datetime_from_date_parsing": "Enter a date and time like 2027-06-05 18:30.",
    "datetime_type": "Enter a date and time like 2027-06-05 18:30.",
    "literal_error": "Choose one of {expected}.",
    "enum": "Choose one of {expected}.",
    "string_pattern_mismatch": "Not in the expected format.",
    "string_type": "Enter text.",
    "url_parsing": "Enter a web address starting with http:// or https://.",
    "url_scheme": "Enter a web address starting with http:// or https://.",
    "url_type": "Enter a web address starting with http:// or https://.",
    "extra_forbidden": "Not expected here.",
    "dict_type": "Must be an object.",
    "model_type": "Must be an object.",
    "model_attributes_type": "Must be an object.",
    "list_type": "Must be a list.",
    "json_invalid": "Not valid JSON.",
}


def human_message(error: dict) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in words a person acts on."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_short":
        return "Required." if ctx.get("min_length") == 1 else f"At least {ctx.get('min_length')} characters."
    if kind in ("value_error", "assertion_error"):
        # Our own validators' messages: already in words, minus pydantic's prefix.
        text = str(ctx["error"]) if "error" in ctx else error.get("msg", "")
        text = text.removeprefix("Value error, ").removeprefix("Assertion failed, ").strip()
        return _sentence(text)
    template = _WORDING.get(kind)
    if template is not None:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            pass
    return _sentence(error.get("msg", "Not valid.").replace("Input should be", "Must be"))


def _sentence(text: str) -> str:
    text = text or "Not valid."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def from_pydantic(exc, model: type | None = None) -> ValidationFailed:
    """A pydantic ValidationError as ValidationFailed: one human message per field,
    keyed by dotted path ("customer.email"); the field's own words when `model` has them."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "body"
        own = _field_words(model, error["loc"], error.get("type", "")) if model is not None else None
        fields.setdefault(path, own or human_message(error))
    return invalid_fields(fields)


def _field_words(model: type, loc: tuple, kind: str) -> str | None:
    """The message the model declares for this field and kind of error (its FIELD_ERRORS)."""
    for depth, part in enumerate(loc):
        fields = getattr(model, "model_fields", None)
        if not isinstance(part, str) or not fields or part not in fields:
            return None
        if depth == len(loc) - 1:
            return getattr(model, "FIELD_ERRORS", {}).get(part, {}).get(kind)
        model = fields[part].annotation
    return None


def invalid_fields(fields: dict[str, str]) -> ValidationFailed:
    """ValidationFailed for these field messages, summed up in its message ("Adults: Enter 1 or more.")."""
    summary = "; ".join(f"{_label(k)}: {v}" for k, v in list(fields.items())[:3])
    return ValidationFailed(f"Some fields need a correction ({summary}).", fields=fields)


def _label(path: str) -> str:
    """ "customer.email" -> "Email", "event_date" -> "Event date": the field as a person names it."""
    words = path.rsplit(".", 1)[-1].replace("_", " ").strip() or path
    return words[:1].upper() + words[1:]
