"""HTMX helpers: page-or-fragment rendering, toasts, redirects after mutations."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, flash, make_response, redirect, render_template, request


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
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or (best == "application/json" and not is_htmx())


def render(page_template: str, fragment_template: str | None = None, status: int = 200, **context: Any) -> Response:
    """The whole page, or only the fragment when HTMX asked for a part of it.

    The page template includes the fragment, so both render the same markup.
    """
    use_fragment = fragment_template and wants_fragment()
    template = fragment_template if use_fragment else page_template
    return make_response(render_template(template, **context), status)


def add_toast(response: Response, message: str, level: str = "success") -> Response:
    """Ask the page to show a toast (static/app.js listens for the `toast` event)."""
    triggers = json.loads(response.headers.get("HX-Trigger", "{}") or "{}")
    triggers["toast"] = {"message": message, "level": level}
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def redirect_after_mutation(url: str) -> Response:
    """HTMX: HX-Redirect (a full navigation); plain form posts: 303 See Other."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def add_vary(response: Response) -> Response:
    """Pages answer differently to HTMX: caches must key on the header."""
    response.vary.add("HX-Request")
    return response


def fragment_or_redirect(fragment: Callable[[], Response], message: str, url: str, level: str = "success") -> Response:
    """After a mutation: HTMX gets the refreshed fragment (carrying its toast); plain
    form posts get the message flashed and a 303 to `url`."""
    if is_htmx():
        return fragment()
    flash(message, level)
    return redirect(url, code=303)
