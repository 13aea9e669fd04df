"""HTMX helpers: page-or-fragment rendering (GET), and `finish_mutation`, the answer to every POST."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response, flash, make_response, redirect, render_template, request

from app.errors import DomainError
from app.extensions import db


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """HTMX asked for a part of the page.

    Boosted navigation and history restores (the back button after hx-push-url, when
    the snapshot is not cached) want the whole page.
    """
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def wants_json() -> bool:
    """JSON only for a client that prefers it to HTML (an API client's Accept, a JSON body).

    A browser, and a client that accepts anything (`*/*`, no Accept at all), gets pages:
    on a tie HTML wins, so `/` signed out redirects to sign-in instead of a JSON 401.
    """
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or (best == "application/json" and not is_htmx())


def render(page_template: str, fragment_template: str | None = None, status: int = 200, **context: Any) -> Response:
    """The whole page, or only the fragment when HTMX asked for a part of it.

    The page template includes the fragment, so both render the same markup.
    """
    use_fragment = fragment_template and wants_fragment()
    template = fragment_template if use_fragment else page_template
    return make_response(render_template(template, **context), status)


def add_vary(response: Response) -> Response:
    """Pages answer differently to HTMX: caches must key on the header."""
    response.vary.add("HX-Request")
    return response


def _trigger(response: Response, event: str, detail: Any = True) -> None:
    """Add one event to HX-Trigger, keeping those already there (JSON or a list of names)."""
    raw = (response.headers.get("HX-Trigger") or "").strip()
    if raw.startswith("{"):
        triggers = json.loads(raw)
    else:
        triggers = {name.strip(): True for name in raw.split(",") if name.strip()}
    triggers[event] = detail
    response.headers["HX-Trigger"] = json.dumps(triggers)


def finish_mutation(
    outcome: str | DomainError,
    *,
    back: str,
    fragment: Callable[[DomainError | None], str | Response] | None = None,
    page: Callable[[DomainError], str | Response] | None = None,
    level: str = "success",
    events: Iterable[str] = (),
) -> Response:
    """Conclude a POST that changed something, or was refused, and answer it: the one way.

    `outcome` is the message saying what was done (the transaction is committed), or
    the DomainError that refused it (the transaction is rolled back, so whatever is
    rendered next shows the rows as they are). `fragment(error)` and `page(error)`
    render the part of the page, or the whole form page, with the error (None when
    done) and its field messages.

    Done:
      HTMX with a `fragment`: the re-rendered fragment, 200, one toast in HX-Trigger
        (plus `events`, for parts of the page that reload themselves on them);
      HTMX without one: an HX-Redirect to `back`, the message flashed there;
      a plain POST: the message flashed and 303 See Other to `back`.
    Refused (the error's status: 422 invalid input, 409 a conflict...; 422 whenever
    it names fields, since the form is what to correct):
      HTMX with a `fragment`: the fragment re-rendered (it shows the error and the
        field messages), with the error's status, and one error toast; static/app.js
        tells htmx to swap 422 and 409 answers;
      HTMX without one: no swap (HX-Reswap: none), the error toast;
      a plain POST with a `page`: the page re-rendered with the messages, the error's
        status (the form keeps what was typed);
      a plain POST without one: the message flashed and 303 to `back`.
    """
    refused = isinstance(outcome, DomainError)
    if refused:
        db.session.rollback()
        # Messages beside fields make it a form to correct (422), whatever refused it.
        message, level, status = outcome.message, "error", 422 if outcome.fields else outcome.status
    else:
        db.session.commit()
        message, status = outcome, 200
    if wants_fragment():
        if fragment is not None:
            response = make_response(fragment(outcome if refused else None), status)
        elif refused:
            response = make_response("", status)
            response.headers["HX-Reswap"] = "none"
        else:
            flash(message, level)
            response = make_response("", 204)
            response.headers["HX-Redirect"] = back
            return response
        _trigger(response, "toast", {"message": message, "level": level})
        for event in () if refused else events:
            _trigger(response, event)
        return response
    flash(message, level)
    if refused and page is not None:
        return make_response(page(outcome), status)
    return redirect(back, code=303)
