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


def from_pydantic(exc) -> ValidationFailed:
    """A pydantic ValidationError as ValidationFailed, fields keyed by dotted path."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(path, error["msg"].removeprefix("Value error, "))
    summary = "; ".join(f"{k}: {v}" for k, v in list(fields.items())[:3])
    return ValidationFailed(f"Some fields need a correction ({summary}).", fields=fields)
