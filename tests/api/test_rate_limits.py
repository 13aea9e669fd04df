"""Per-IP rate limits, on an app with the limiter switched on (make_app restores it)."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, assert_error


@pytest.fixture
def limited(make_app, world):
    return make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        API_RATELIMIT_READ="3 per minute",
        API_RATELIMIT_BOOKINGS="2 per minute",
        API_RATELIMIT_QUOTES="2 per minute",
        API_RATELIMIT_LEADS="2 per minute",
        PUBLIC_SITE_ORIGINS=["https://www.teppan.example"],
    )


def _from(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def test_reads_share_one_budget_per_ip_then_429_json(limited):
    client = limited.test_client()
    for path in ("/stations", "/stations/alpha/menu", "/stations"):
        assert client.get(f"{API}{path}", **_from("203.0.113.5")).status_code == 200
    response = client.get(f"{API}/stations", headers={"Origin": "https://www.teppan.example"}, **_from("203.0.113.5"))
    error = assert_error(response, 429, "rate_limited")
    assert error["fields"] == {}
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "https://www.teppan.example"
    # Another address has its own budget.
    assert client.get(f"{API}/stations", **_from("203.0.113.6")).status_code == 200


@pytest.mark.parametrize("path", ["/bookings", "/quotes", "/leads"])
def test_posts_are_limited_per_endpoint(limited, path):
    client = limited.test_client()
    for _ in range(2):
        assert client.post(f"{API}{path}", json={}, **_from("198.51.100.7")).status_code == 422
    assert_error(client.post(f"{API}{path}", json={}, **_from("198.51.100.7")), 429, "rate_limited")
    # Reads are not spent by posts.
    assert client.get(f"{API}/stations", **_from("198.51.100.7")).status_code == 200


def test_preflights_are_not_counted(limited):
    client = limited.test_client()
    headers = {"Origin": "https://www.teppan.example", "Access-Control-Request-Method": "POST"}
    for _ in range(5):
        assert client.options(f"{API}/bookings", headers=headers, **_from("192.0.2.9")).status_code == 204
    assert client.post(f"{API}/bookings", json={}, **_from("192.0.2.9")).status_code == 422
