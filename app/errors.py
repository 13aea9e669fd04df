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
# every form and the API say it the way a person would ("Must be more than 0.").
_WORDING: dict[str, str] = {
    "missing": "Required.",
    "string_too_long": "At most {max_length} characters.",
    "too_short": "Choose at least {min_length}.",
    "too_long": "At most {max_length}.",
    "greater_than": "Must be more than {gt}.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than": "Must be less than {lt}.",
    "less_than_equal": "Must be at most {le}.",
    "multiple_of": "Must be a multiple of {multiple_of}.",
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


def from_pydantic(exc) -> ValidationFailed:
    """A pydantic ValidationError as ValidationFailed: one human message per field,
    keyed by dotted path ("customer.email")."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(path, human_message(error))
    return invalid_fields(fields)


def invalid_fields(fields: dict[str, str]) -> ValidationFailed:
    """ValidationFailed for these field messages, summed up in its message."""
    summary = "; ".join(f"{k}: {v}" for k, v in list(fields.items())[:3])
    return ValidationFailed(f"Some fields need a correction ({summary}).", fields=fields)
