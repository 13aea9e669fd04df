"""CORS: only the configured public-site origins get CORS headers."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, booking_body

SITE = "https://www.teppan.example"


@pytest.fixture(autouse=True)
def _origins(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_SITE_ORIGINS", [SITE, "https://book.teppan.example/"])


def test_an_allowed_origin_is_echoed(client, world):
    response = client.get(f"{API}/stations", headers={"Origin": SITE})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    # Configured with a trailing slash: still the same origin.
    other = client.get(f"{API}/stations", headers={"Origin": "https://book.teppan.example"})
    assert other.headers["Access-Control-Allow-Origin"] == "https://book.teppan.example"


def test_another_origin_gets_no_cors_headers(client, world):
    for origin in ("https://evil.example", "https://www.teppan.example.evil.example", "null"):
        response = client.get(f"{API}/stations", headers={"Origin": origin})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Origin" in response.headers["Vary"]


def test_errors_carry_cors_headers_so_the_site_can_read_them(client, world):
    response = client.get(f"{API}/stations/nowhere/menu", headers={"Origin": SITE})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    unknown = client.get(f"{API}/nothing-here", headers={"Origin": SITE})
    assert unknown.status_code == 404
    assert unknown.headers["Access-Control-Allow-Origin"] == SITE


def _preflight(client, path: str, origin: str, method: str = "POST"):
    return client.options(
        f"{API}{path}",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )


def test_preflight_from_an_allowed_origin(client, world):
    response = _preflight(client, "/bookings", SITE)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "idempotency-key" in allowed and "content-type" in allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    get = _preflight(client, "/stations/alpha/availability", SITE, method="GET")
    assert "GET" in get.headers["Access-Control-Allow-Methods"]


def test_preflight_from_another_origin_gets_no_cors_headers(client, world):
    response = _preflight(client, "/bookings", "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_a_post_from_an_allowed_origin_exposes_its_headers(client, kitchen):
    response = client.post(f"{API}/bookings", json=booking_body(), headers={"Origin": SITE})
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Location" in response.headers["Access-Control-Expose-Headers"]


def test_pages_outside_the_api_get_no_cors_headers(client, world):
    response = client.get("/login", headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in response.headers
