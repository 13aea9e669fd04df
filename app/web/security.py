"""Security headers and the CSP: scripts and styles only from this origin."""

from __future__ import annotations

from flask import Flask, abort, request, session
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _refuse_nul_bytes():
    """PostgreSQL cannot store NUL in text: refuse such input up front (400, not 500)."""
    if request.path.startswith("/api/"):
        return  # the API validates its own input and answers in its documented JSON form
    if "\x00" in request.path:
        abort(400, "Text may not contain NUL characters.")  # path parameters reach SQL too
    if request.path.startswith("/webhooks/"):
        return  # signed; they clean their own text and set their own (larger) body limits first
    sources = [request.args]
    # Touch request.form only for form posts: reading it wraps the body stream, and the
    # API sets its own body size limit later.
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for values in sources:
        for value in values.values():
            if "\x00" in value:
                abort(400, "Text may not contain NUL characters.")


def _no_store_for_signed_in(response):
    """Pages of a signed-in user hold customers' details: no browser or proxy keeps a copy
    (the back button after signing out, a shared computer; OWASP ASVS 8.2.1)."""
    if request.endpoint != "static" and "Cache-Control" not in response.headers and "_user_id" in session:
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def register(app: Flask) -> None:
    app.before_request(_refuse_nul_bytes)
    app.after_request(_no_store_for_signed_in)
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
