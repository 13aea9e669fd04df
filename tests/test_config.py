"""Configuration from the environment; production refuses to start half-configured."""

from __future__ import annotations

import pytest

import config as teppan_config
from app import create_app
from config import DevelopmentConfig, ProductionConfig, load_config
from tests.support import make_app_fixture  # noqa: F401

PRODUCTION_ENV = {
    "SECRET_KEY": "a-real-secret",
    "DATABASE_URL": "postgresql://teppan@db/teppan",
    "PUBLIC_BASE_URL": "https://ops.teppan.example",
}


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "PUBLIC_BASE_URL",
        "REDIS_URL",
        "SESSION_COOKIE_SECURE",
        "TEPPAN_ENV",
        "METRICS_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({}, ["SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL"]),
        ({"DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]}, ["SECRET_KEY", "PUBLIC_BASE_URL"]),
        ({"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]}, ["DATABASE_URL", "PUBLIC_BASE_URL"]),
        (
            {"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]},
            ["PUBLIC_BASE_URL"],
        ),
    ],
)
def test_production_refuses_to_start_and_names_what_is_missing(clean_env, present, missing):
    for name, value in present.items():
        clean_env.setenv(name, value)
    with pytest.raises(RuntimeError) as caught:
        create_app("production")
    message = str(caught.value)
    for name in missing:
        assert name in message
    for name in present:
        assert name not in message


def test_production_does_not_fall_back_to_the_dev_secret(clean_env):
    clean_env.setenv("SECRET_KEY", "")
    clean_env.setenv("DATABASE_URL", PRODUCTION_ENV["DATABASE_URL"])
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig().validate()


def test_production_config_with_everything_set(clean_env):
    for name, value in PRODUCTION_ENV.items():
        clean_env.setenv(name, value)
    config = ProductionConfig()
    config.validate()
    assert config.SECRET_KEY == "a-real-secret"
    assert config.SESSION_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.LOG_FORMAT == "json"
    assert config.RATELIMIT_ENABLED is True


def test_development_defaults_need_nothing(clean_env, tmp_path):
    config = DevelopmentConfig()
    config.validate()
    assert config.SQLALCHEMY_DATABASE_URI is None  # the factory picks SQLite in instance/
    assert config.REDIS_URL is None
    assert config.SESSION_COOKIE_SECURE is False


def test_factory_defaults_to_sqlite_in_the_instance_folder(clean_env, make_app):
    development = make_app("development", share_db=False, SQLALCHEMY_DATABASE_URI=None)
    uri = development.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    assert uri.endswith("instance/teppan.db")


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_heroku_style_urls_use_psycopg3(make_app, scheme):
    made = make_app(share_db=False, SQLALCHEMY_DATABASE_URI=f"{scheme}u:p@db.internal/teppan")
    assert made.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/teppan"


def test_environment_overrides_are_read_when_the_config_is_made(clean_env):
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    clean_env.setenv("PUBLIC_SITE_ORIGINS", "https://a.example, https://b.example,")
    clean_env.setenv("SMTP_PORT", "2525")
    clean_env.setenv("SESSION_COOKIE_SECURE", "yes")
    config = DevelopmentConfig()
    assert config.REDIS_URL == "redis://cache:6379/0"
    assert config.PUBLIC_SITE_ORIGINS == ["https://a.example", "https://b.example"]
    assert config.SMTP_PORT == 2525
    assert config.SESSION_COOKIE_SECURE is True


def test_testing_config_ignores_production_services(clean_env):
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    clean_env.setenv("STRIPE_SECRET_KEY", "sk_live_x")
    config = teppan_config.TestingConfig()
    assert config.REDIS_URL is None
    assert config.STRIPE_SECRET_KEY is None
    assert config.RATELIMIT_ENABLED is False


def test_unknown_environment_name_is_refused(clean_env):
    with pytest.raises(RuntimeError, match="Unknown TEPPAN_ENV"):
        load_config("staging")
    clean_env.setenv("TEPPAN_ENV", "testing")
    assert isinstance(load_config(), teppan_config.TestingConfig)


@pytest.mark.parametrize(
    "value",
    [
        "ops.teppan.example",
        "ftp://ops.teppan.example",
        "https://",
        "https://ops.example/?next=x",
        "https://u:p@ops.example",
    ],
)
def test_production_refuses_a_public_base_url_that_is_no_address(clean_env, value):
    for name, setting in PRODUCTION_ENV.items():
        clean_env.setenv(name, setting)
    clean_env.setenv("PUBLIC_BASE_URL", value)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")
