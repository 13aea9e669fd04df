"""Error pages that keep the layout; JSON errors for JSON callers."""

from __future__ import annotations

import json
import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.web.htmx import is_htmx, wants_json

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that here.",
    404: "There is nothing at this address, or it belongs to another station.",
    405: "That action is not allowed on this address.",
    429: "Too many attempts. Wait a little and try again.",
    500: "Something went wrong on our side. The team has been told.",
}


def _json_error(status: int, code: str, message: str):
    return jsonify(error={"code": code, "message": message, "fields": {}}), status


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or MESSAGES.get(status, "Error")
    code = code or {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        429: "rate_limited",
    }.get(status, "error")
    if request.path.startswith("/api/") or (wants_json() and not is_htmx()):
        return _json_error(status, code, message)
    if is_htmx():
        response = make_response(render_template("errors/_inline.html", status=status, message=message), status)
        if status in (409, 422):
            # static/app.js swaps these (a refused form re-rendered): this answer has no
            # fragment to swap in, so keep the page as it is and say why in one toast.
            response.headers["HX-Reswap"] = "none"
            response.headers["HX-Trigger"] = json.dumps({"toast": {"message": message, "level": "error"}})
        return response
    return render_template("errors/error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return error_response(
            400,
            "Your form expired or came from elsewhere. Reload the page and try again.",
            "csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        message = MESSAGES.get(error.code) or error.description
        if (
            error.code in (400, 409, 422)
            and error.description
            and not error.description.startswith("The browser (or proxy)")
        ):
            message = error.description
        response = error_response(error.code, message)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            body, status = response if isinstance(response, tuple) else (response, 405)
            return body, status, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
            return _http(error)
        db.session.rollback()
        log.exception("unhandled error")
        if app.config.get("TESTING") and app.config.get("PROPAGATE_ERRORS_IN_TESTS", True):
            raise error
        return error_response(500)
