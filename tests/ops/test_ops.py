"""/healthz, /ready, /info, /metrics and the request id."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

CLOSED_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/teppan_down"
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_with_the_database_up(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"] == {"database": "ok"}  # no Redis configured: not checked


def test_ready_names_the_database_when_it_is_down(make_app):
    down = make_app(
        share_db=False,
        SQLALCHEMY_DATABASE_URI=CLOSED_DATABASE,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    response = down.test_client().get("/ready")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["failing"] == ["database"]
    assert response.json["checks"]["database"].startswith("error")
    # Liveness does not depend on the database.
    assert down.test_client().get("/healthz").status_code == 200


def test_ready_names_redis_when_it_is_down(make_app):
    down = make_app(REDIS_URL=CLOSED_REDIS)
    response = down.test_client().get("/ready")
    assert response.status_code == 503
    assert response.json["failing"] == ["redis"]
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"].startswith("error")


@pytest.mark.redis
def test_ready_checks_redis_when_configured(make_app):
    response = make_app(REDIS_URL=TEST_REDIS_URL).test_client().get("/ready")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


SECRETS = {
    "SECRET_KEY": "flask-secret-4d1f9c",
    "STRIPE_SECRET_KEY": "sk_live_stripe_7a2b",
    "STRIPE_WEBHOOK_SECRET": "whsec_hook_99x",
    "OPENAI_API_KEY": "sk-openai-51de",
    "TWILIO_AUTH_TOKEN": "twilio-token-88aa",
    "SMTP_PASSWORD": "smtp-pass-31c7",
}


OPS_TOKEN = "ops-token-5f0c2a"
BEARER = {"Authorization": f"Bearer {OPS_TOKEN}"}


def test_info_has_version_and_revision_but_no_secrets(make_app):
    configured = make_app(
        share_db=False,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://teppan:db-pass-6e0f@db.internal:5432/teppan",
        REDIS_URL="redis://:redis-pass-a1b2@cache.internal:6379/0",
        APP_VERSION="9.8.7",
        GIT_REVISION="abc1234",
        TWILIO_ACCOUNT_SID="AC-sid",
        METRICS_TOKEN=OPS_TOKEN,
        **SECRETS,
    )
    response = configured.test_client().get("/info", headers=BEARER)
    assert response.status_code == 200
    info = response.json
    assert info["version"] == "9.8.7"
    assert info["git_revision"] == "abc1234"
    assert info["environment"] == "testing"
    assert info["database"] == "postgresql"
    assert info["payments"] == "stripe"
    assert info["ai"] == "openai"
    assert info["jobs"] == "redis"
    body = response.get_data(as_text=True)
    # No credential, masked or not, and not where the services live either.
    for secret in [*SECRETS.values(), "db-pass-6e0f", "redis-pass-a1b2", OPS_TOKEN, "***", "internal", "teppan:"]:
        assert secret not in body, f"/info shows {secret}"
    assert info["versions"]["python"] and info["versions"]["flask"]


def test_info_answers_owners_and_the_token_only(make_app, world):
    from tests.support import new_client

    app = make_app(METRICS_TOKEN=OPS_TOKEN, APP_VERSION="9.8.7")
    anonymous = app.test_client().get("/info")
    assert anonymous.status_code == 401
    assert "9.8.7" not in anonymous.get_data(as_text=True)
    assert app.test_client().get("/info", headers={"Authorization": "Bearer wrong"}).status_code == 401
    for who in ("manager@example.com", "staff@example.com", "chef@example.com"):
        assert new_client(app, who).get("/info").status_code == 401, who
    owner = new_client(app, "owner@example.com").get("/info")
    assert owner.status_code == 200 and owner.json["version"] == "9.8.7"
    assert app.test_client().get("/info", headers=BEARER).json["version"] == "9.8.7"


def test_info_reports_the_git_revision_without_configuration(make_app):
    app = make_app(METRICS_TOKEN=OPS_TOKEN)
    info = app.test_client().get("/info", headers=BEARER).json
    assert info["version"] == app.config["APP_VERSION"]
    assert "git_revision" in info
    assert info["jobs"] == "inline"
    assert info["email"] == "recorded"
    assert "testing-secret" not in app.test_client().get("/info", headers=BEARER).get_data(as_text=True)


def test_metrics_need_the_bearer_token_when_one_is_configured(make_app):
    app = make_app(METRICS_TOKEN=OPS_TOKEN)
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": OPS_TOKEN}, {"X-Token": OPS_TOKEN}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert "teppan_" not in response.get_data(as_text=True)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert "teppan_http_request_duration_seconds" in response.get_data(as_text=True)


def production_app(make_app, monkeypatch, **env):
    values = {
        "SECRET_KEY": "production-ops-secret",
        "DATABASE_URL": TEST_DATABASE_URL,
        "PUBLIC_BASE_URL": "https://ops.teppan.example",
        **env,
    }
    for name in ("REDIS_URL", "METRICS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return make_app("production")


def test_production_serves_no_metrics_without_a_token(make_app, monkeypatch):
    app = production_app(make_app, monkeypatch)
    response = app.test_client().get("/metrics", base_url="https://localhost")
    assert response.status_code == 404
    assert "teppan_" not in response.get_data(as_text=True)
    assert app.test_client().get("/info", base_url="https://localhost").status_code == 401


def test_production_serves_metrics_and_info_with_the_token(make_app, monkeypatch):
    app = production_app(make_app, monkeypatch, METRICS_TOKEN=OPS_TOKEN)
    client = app.test_client()
    assert client.get("/metrics", base_url="https://localhost").status_code == 401
    assert client.get("/metrics", base_url="https://localhost", headers=BEARER).status_code == 200
    assert client.get("/info", base_url="https://localhost", headers=BEARER).json["environment"] == "production"


def test_health_and_readiness_stay_open_and_say_nothing_sensitive(make_app):
    app = make_app(
        METRICS_TOKEN=OPS_TOKEN,
        REDIS_URL="redis://:redis-pass-a1b2@127.0.0.1:1/0",  # down, with a password in its URL
        APP_VERSION="9.8.7",
        GIT_REVISION="abc1234",
    )
    client = app.test_client()
    health = client.get("/healthz")
    ready = client.get("/ready")
    assert health.status_code == 200 and ready.status_code == 503
    assert ready.json["failing"] == ["redis"]
    for response in (health, ready):
        body = response.get_data(as_text=True)
        for word in ("redis-pass-a1b2", "127.0.0.1", "9.8.7", "abc1234", "testing", "postgres"):
            assert word not in body, f"{response.request.path} shows {word}"


def request_count(client, endpoint: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    pattern = rf'^teppan_http_request_duration_seconds_count\{{[^}}]*endpoint="{re.escape(endpoint)}"[^}}]*\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, text, re.MULTILINE))


def test_metrics_count_requests_by_endpoint(client):
    before = request_count(client, "ops.healthz")
    client.get("/healthz")
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert request_count(client, "ops.healthz") == before + 2
    assert 'teppan_app_info{version="' in response.get_data(as_text=True)


def test_request_id_is_returned(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert client.get("/healthz").headers["X-Request-ID"] != response.headers["X-Request-ID"]


def test_valid_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_x"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.2_x"


@pytest.mark.parametrize("bad", ["has spaces in it", "x" * 65, "<script>", "a;b"])
def test_invalid_incoming_request_id_is_replaced(client, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
