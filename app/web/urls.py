"""Absolute URLs that leave the app, built from PUBLIC_BASE_URL (never from the request's Host)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` under PUBLIC_BASE_URL (works without a request, in jobs)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    adapter = current_app.url_map.bind("teppan.invalid", script_name="/")
    return base + adapter.build(endpoint, values)


def public_request_url() -> str:
    """The URL a provider called for this request, as it signed it (PUBLIC_BASE_URL + path + query)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")
