"""Login throttling: per account (failed attempts only) and per IP, memory and Redis storage.

The testing config turns the limiter off (every other test signs in a lot), so these
tests build their own app with it on; `make_app` shares the test's database
transaction and puts the shared limiter back as it was afterwards.

Argon2 makes every checked password cost ~0.2 s of CPU, so the per-IP budget is spent
with posts that fail form validation (no password: 400, never checked). Both limits
count failed posts only (400 and 401): successful sign-ins never spend either budget.
"""

from __future__ import annotations

import uuid

import pytest
import redis

from app.extensions import limiter
from tests.conftest import TEST_REDIS_URL
from tests.factories import PASSWORD

WRONG = "definitely not it"


def attempt(client, email: str, password: str, ip: str = "203.0.113.7", **kwargs):
    return client.post_form(
        "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}, **kwargs
    )


def cheap_post(client, ip: str = "203.0.113.7", **kwargs):
    """A login POST that never reaches the password check."""
    response = attempt(client, "anyone@example.com", "", ip=ip, **kwargs)
    return response


@pytest.fixture
def throttled_app(make_app, world):
    return make_app(RATELIMIT_ENABLED=True)


def test_the_session_app_does_not_throttle(app, client, world):
    """The precondition of every other test: the testing config never answers 429."""
    assert limiter.enabled is False
    for _ in range(25):  # beyond the per-IP limit of 20
        assert cheap_post(client).status_code == 400
    assert attempt(client, "manager@example.com", PASSWORD).status_code == 302


def test_account_locks_after_five_failures_even_with_the_right_password(throttled_app):
    assert throttled_app.config["LOGIN_LIMIT_PER_ACCOUNT"] == "5 per 15 minutes"
    client = throttled_app.test_client()
    for n in range(5):
        assert attempt(client, "manager@example.com", WRONG).status_code == 401, f"attempt {n + 1}"
    locked = attempt(client, "manager@example.com", PASSWORD)
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    assert b"Too many attempts" in locked.data
    # The lock is the account's, whatever the spelling or the address it comes from.
    assert attempt(client, " MANAGER@example.com", PASSWORD, ip="198.51.100.9").status_code == 429
    # Other accounts are not affected.
    assert attempt(client, "staff@example.com", PASSWORD).status_code == 302


def test_successful_logins_do_not_count_against_the_account(make_app, world):
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    for _ in range(3):
        assert attempt(throttled.test_client(), "staff@example.com", PASSWORD).status_code == 302


def test_successful_sign_ins_from_one_office_address_never_lock_the_next_person_out(make_app, world):
    """A whole team behind one office IP signs in all day: only failures count per IP."""
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="3 per minute")
    office = "198.51.100.20"
    for n in range(8):  # well past the per-IP budget of 3
        who = ("manager@example.com", "staff@example.com", "chef@example.com", "owner@example.com")[n % 4]
        assert attempt(throttled.test_client(), who, PASSWORD, ip=office).status_code == 302, f"sign-in {n + 1}"
    # Failures from that address are still limited, whoever they target.
    client = throttled.test_client()
    for who in ("manager@example.com", "staff@example.com", "nobody@example.com"):
        assert attempt(client, who, WRONG, ip=office).status_code == 401
    assert attempt(client, "chef@example.com", WRONG, ip=office).status_code == 429
    # ... and then even the right password waits: the address is guessing.
    assert attempt(client, "owner@example.com", PASSWORD, ip=office).status_code == 429


def test_per_ip_limit_applies_across_accounts(make_app, world):
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="3 per minute")
    client = throttled.test_client()
    for _ in range(3):
        assert cheap_post(client, ip="192.0.2.1").status_code == 400
    blocked = attempt(client, "manager@example.com", PASSWORD, ip="192.0.2.1")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    # Another address still gets in.
    assert attempt(client, "manager@example.com", PASSWORD, ip="192.0.2.2").status_code == 302


def test_default_per_ip_limit_is_twenty(throttled_app):
    client = throttled_app.test_client()
    for n in range(20):
        assert cheap_post(client, ip="192.0.2.9").status_code == 400, f"post {n + 1}"
    assert cheap_post(client, ip="192.0.2.9").status_code == 429


def test_per_ip_limit_reads_the_forwarded_address_of_one_trusted_proxy(make_app, world):
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="2 per minute", TRUSTED_PROXY_HOPS=1)
    client = throttled.test_client()
    for _ in range(2):
        assert cheap_post(client, headers={"X-Forwarded-For": "192.0.2.50"}).status_code == 400
    assert cheap_post(client, headers={"X-Forwarded-For": "192.0.2.50"}).status_code == 429
    assert cheap_post(client, headers={"X-Forwarded-For": "192.0.2.51"}).status_code == 400


def test_forwarded_address_is_ignored_without_a_trusted_proxy(make_app, world):
    # Otherwise a client could pick a new X-Forwarded-For for every try and never be limited.
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="2 per minute")
    client = throttled.test_client()
    for n in range(2):
        assert cheap_post(client, headers={"X-Forwarded-For": f"192.0.2.{60 + n}"}).status_code == 400
    assert cheap_post(client, headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_login_page_views_are_not_limited(make_app, world):
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="2 per minute")
    client = throttled.test_client()
    for _ in range(5):
        assert client.get("/login").status_code == 200


@pytest.mark.redis
def test_limits_are_kept_in_redis_when_configured(make_app, world):
    prefix = f"teppan-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes",
    }
    throttled = make_app(**settings)
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client = throttled.test_client()
        for _ in range(2):
            assert attempt(client, "chef@example.com", WRONG).status_code == 401
        keys = [k.decode() for k in server.keys(f"*{prefix}*")]
        assert any("login-account" in key for key in keys), keys
        # A second app (as another gunicorn worker would) builds a new storage client
        # and still sees the counts: they live in Redis, not in the process.
        second = make_app(**settings)
        assert attempt(second.test_client(), "chef@example.com", PASSWORD).status_code == 429
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
