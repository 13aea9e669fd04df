"""Absolute URLs that leave the app: always built from PUBLIC_BASE_URL, never from the request.

A link in an email, an SMS, a QR code, a Stripe redirect or a webhook signature check must
name the address the operator configured. The request's Host (and, behind a trusted proxy,
X-Forwarded-Host) is whatever the caller sent: a password reset requested with
`Host: evil.example` would otherwise mail the manager a link to the attacker's server.
Jobs have no request at all. So every absolute URL goes through this module, and nothing
else asks Flask for an external URL (tests/web/test_public_urls.py checks the source for it).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request


def public_base_url() -> str:
    """PUBLIC_BASE_URL without its trailing slash (a path prefix, if any, is kept)."""
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` under PUBLIC_BASE_URL (works in jobs: no request needed)."""
    # A throwaway host: only the path (and query) of the built URL is used.
    adapter = current_app.url_map.bind("teppan.invalid", script_name="/")
    return public_base_url() + adapter.build(endpoint, values)


def public_path_url(path: str) -> str:
    """PUBLIC_BASE_URL + an app path ("/pay/abc")."""
    return public_base_url() + "/" + path.lstrip("/")


def public_request_url() -> str:
    """The URL a provider called for this request, as it signed it (PUBLIC_BASE_URL + path + query)."""
    query = request.query_string.decode("latin-1")
    return public_path_url(request.path) + (f"?{query}" if query else "")
