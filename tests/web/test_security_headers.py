"""Security headers, the CSP and cookie flags."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.factories import PASSWORD


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/login", "/healthz", "/no-such-page"])
def test_csp_allows_only_own_scripts_and_no_framing(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "http:" not in header and "https:" not in header and "*" not in header  # no CDN, no wildcard
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_signed_in_pages_carry_the_headers(as_role):
    response = as_role("manager").get("/s/alpha/")
    assert response.status_code == 200
    assert csp_directives(response)["script-src"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers.get("Vary", "")


def test_pages_load_scripts_only_from_static(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<script src="/static/vendor/htmx-' in html
    assert "cdn" not in html.lower()


def session_cookie(response, name: str = "session") -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, f"no {name} cookie set"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = client.post_form("/login", {"email": "manager@example.com", "password": PASSWORD})
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the testing config serves plain http


def test_production_cookies_are_secure(monkeypatch, make_app, world):
    monkeypatch.setenv("SECRET_KEY", "production-test-secret")
    monkeypatch.setenv("DATABASE_URL", TEST_DATABASE_URL)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ops.teppan.example")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    production = make_app("production")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["TESTING"] is False

    client = production.test_client()
    response = client.post_form("/login", {"email": "manager@example.com", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        cookie = session_cookie(response, name)
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
