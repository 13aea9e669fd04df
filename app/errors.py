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
