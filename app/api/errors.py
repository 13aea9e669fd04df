"""JSON errors of the API and the request-body parsing that produces most of them.

Every error answers `{"error": {"code", "message", "fields"}}`. A refused request
rolls the session back first, so a failed booking leaves no row behind.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError, ValidationFailed, from_pydantic
from app.extensions import db

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a booking is ~1 KB; anything near this is not a form

Model = TypeVar("Model", bound=BaseModel)

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "That method is not allowed on this address.",
    413: f"The request body is larger than {MAX_BODY_BYTES // 1024} KB.",
    429: "Too many requests. Wait a little and try again.",
}


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class NotFound(DomainError):
    status = 404
    code = "not_found"


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    return response


def _domain_error(error: DomainError) -> Response:
    # Nothing a refused request did may reach the database (the request never commits,
    # but an explicit rollback also frees row locks such as the slot lock at once).
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.fields)


def _http_error(error: HTTPException) -> Response | HTTPException:
    status = error.code or 500
    if status < 400 or status >= 500:
        return error  # the app's handlers (logging, 500 page) own these
    db.session.rollback()
    message = HTTP_MESSAGES.get(status) or error.description or "Request refused."
    if status == 429 and error.description:
        message = f"Too many requests ({error.description}). Wait a little and try again."
    response = error_response(status, HTTP_CODES.get(status, "error"), message)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def register(bp: Blueprint) -> None:
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(HTTPException, _http_error)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body() -> tuple[dict[str, Any], bytes]:
    """The request body as a JSON object (and its raw bytes); BadRequest otherwise.

    Any Content-Type is read as JSON: a site may post text/plain to skip the CORS
    preflight, and a wrong header is no reason to refuse a well-formed body.
    """
    request.max_content_length = MAX_BODY_BYTES  # werkzeug answers 413 past it
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest("Send a JSON object as the request body.", code="empty_body")
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"The request body is not valid JSON ({_short(exc)}).", code="malformed_json") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", code="not_an_object")
    try:
        bad = _bad_text_path(body, ())
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.", code="malformed_json") from None
    if bad is not None:
        message = "Text may not contain NUL characters or unpaired surrogates."
        raise ValidationFailed(message, fields={".".join(bad) or "body": message})
    return body, raw


def _bad_text(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


def _bad_text_path(value: Any, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """Where a string the database cannot store (NUL, lone surrogate) sits, if anywhere."""
    if isinstance(value, str):
        return path if _bad_text(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        name = str(key)
        if isinstance(key, str) and _bad_text(key):
            return (*path, repr(key))
        found = _bad_text_path(item, (*path, name))
        if found is not None:
            return found
    return None


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120] or type(exc).__name__


def parse(model: type[Model], raw: bytes) -> Model:
    """Validate a JSON body strictly (no "5" for 5, no timestamps for dates); 422 otherwise."""
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise from_pydantic(exc) from None


def read(model: type[Model]) -> tuple[Model, dict[str, Any]]:
    """The request body parsed into `model`, and the plain JSON object it came from."""
    body, raw = json_body()
    return parse(model, raw), body
