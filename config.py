"""Configuration read from the environment.

Every setting is named after its environment variable. Defaults make `make run` work
with nothing configured: SQLite in the instance folder, jobs inline, offline AI,
deposits recorded by hand. Values are read when a config object is made (not at
import), so tests and the CLI see the environment as it is.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in (_env(name, "") or "").split(",") if item.strip()]


def base_url_problem(value: str | None) -> str | None:
    """Why `value` cannot be PUBLIC_BASE_URL (None when it can): http(s), a host, no query."""
    if not value:
        return "PUBLIC_BASE_URL is missing: set it to the address people use, e.g. https://ops.example.com"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"PUBLIC_BASE_URL must be an absolute http(s) address like https://ops.example.com, not {value!r}"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "PUBLIC_BASE_URL must not carry a query, a fragment or credentials"
    return None


class Config:
    ENV_NAME = "development"
    TESTING = False
    SECURE_COOKIES_DEFAULT = True

    def __init__(self) -> None:
        self.SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")
        # None means "SQLite file in the instance folder", resolved by the factory.
        self.SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = _env("REDIS_URL")  # None: jobs run inline after commit

        self.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        self.PUBLIC_SITE_ORIGINS = _env_list("PUBLIC_SITE_ORIGINS")

        self.OPENAI_API_KEY = _env("OPENAI_API_KEY")
        self.OPENAI_BASE_URL = _env("OPENAI_BASE_URL")
        self.OPENAI_MODEL = _env("OPENAI_MODEL", "gpt-4.1-mini")
        self.OPENAI_TIMEOUT_SECONDS = _env_int("OPENAI_TIMEOUT_SECONDS", 30)
        # Cost of a draft, in US dollars per million tokens (for the per-station daily budget).
        self.OPENAI_PRICE_INPUT_PER_MTOK = float(_env("OPENAI_PRICE_INPUT_PER_MTOK", "0.40"))
        self.OPENAI_PRICE_OUTPUT_PER_MTOK = float(_env("OPENAI_PRICE_OUTPUT_PER_MTOK", "1.60"))
        # Where the offline classifier keeps its trained model (default: instance/ai).
        self.AI_MODEL_CACHE_DIR = _env("AI_MODEL_CACHE_DIR")

        # Distances: an OSRM-compatible routing API when set, offline ZIP centroids otherwise.
        self.ROUTING_API_URL = _env("ROUTING_API_URL")
        self.ROUTING_API_KEY = _env("ROUTING_API_KEY")

        self.STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
        self.STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
        self.STRIPE_API_BASE = _env("STRIPE_API_BASE")  # a local fake in tests

        self.TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID")
        self.TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN")
        self.TWILIO_FROM_NUMBER = _env("TWILIO_FROM_NUMBER")
        self.TWILIO_API_BASE = _env("TWILIO_API_BASE")  # a local fake in tests

        # Instagram messaging through Meta's Graph API.
        self.META_APP_SECRET = _env("META_APP_SECRET")  # signs webhooks (X-Hub-Signature-256)
        self.META_VERIFY_TOKEN = _env("META_VERIFY_TOKEN")  # webhook subscription handshake
        self.META_PAGE_ACCESS_TOKEN = _env("META_PAGE_ACCESS_TOKEN")  # sends replies
        self.META_GRAPH_API_BASE = _env("META_GRAPH_API_BASE", "https://graph.facebook.com/v21.0")

        # Inbound email: a raw-MIME webhook guarded by a shared token, and/or an IMAP poll.
        self.INBOUND_EMAIL_TOKEN = _env("INBOUND_EMAIL_TOKEN")
        self.IMAP_HOST = _env("IMAP_HOST")
        self.IMAP_PORT = _env_int("IMAP_PORT", 993)
        self.IMAP_USERNAME = _env("IMAP_USERNAME")
        self.IMAP_PASSWORD = _env("IMAP_PASSWORD")
        self.IMAP_FOLDER = _env("IMAP_FOLDER", "INBOX")
        self.IMAP_SSL = _env_bool("IMAP_SSL", True)

        self.SMTP_HOST = _env("SMTP_HOST")  # None: emails are recorded, not sent
        self.SMTP_PORT = _env_int("SMTP_PORT", 587)
        self.SMTP_USERNAME = _env("SMTP_USERNAME")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
        self.MAIL_FROM = _env("MAIL_FROM", "Teppan <no-reply@teppan.local>")

        self.SENTRY_DSN = _env("SENTRY_DSN")
        self.LOG_LEVEL = _env("LOG_LEVEL", "INFO")
        self.LOG_FORMAT = _env("LOG_FORMAT", "console")  # "json" in production

        secure = _env_bool("SESSION_COOKIE_SECURE", self.SECURE_COOKIES_DEFAULT)
        self.SESSION_COOKIE_SECURE = secure
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # Sessions signed in with the password end after this long idle, or this long after
        # sign-in; "keep me signed in" lasts SESSION_REMEMBER_DAYS (app/auth/session.py).
        self.SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
        self.SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)
        self.REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("SESSION_REMEMBER_DAYS", 14))
        self.FORCE_HTTPS = _env_bool("FORCE_HTTPS", False)
        # Proxies in front that set X-Forwarded-For/Proto/Host (a load balancer: 1).
        self.TRUSTED_PROXY_HOPS = _env_int("TRUSTED_PROXY_HOPS", 0)

        # Flask-Limiter storage: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory.
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI")
        # Redis down must not take sign-in and bookings down with it: the limits are kept
        # in this process's memory until Redis answers again (and a storage error never
        # fails a request). Short timeouts, so a hung Redis costs milliseconds, not seconds.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        self.LOGIN_LIMIT_PER_IP = _env("LOGIN_LIMIT_PER_IP", "20 per 10 minutes")
        self.LOGIN_LIMIT_PER_ACCOUNT = _env("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")

        # Public API limits, per client IP.
        self.API_RATELIMIT_READ = _env("API_RATELIMIT_READ", "60 per minute")
        self.API_RATELIMIT_BOOKINGS = _env("API_RATELIMIT_BOOKINGS", "10 per minute")
        self.API_RATELIMIT_QUOTES = _env("API_RATELIMIT_QUOTES", "20 per minute")
        self.API_RATELIMIT_LEADS = _env("API_RATELIMIT_LEADS", "20 per minute")
        self.API_RATELIMIT_CHAT = _env("API_RATELIMIT_CHAT", "20 per minute")
        self.API_RATELIMIT_REVIEWS = _env("API_RATELIMIT_REVIEWS", "10 per minute")
        self.API_RATELIMIT_NEWSLETTER = _env("API_RATELIMIT_NEWSLETTER", "10 per minute")
        self.NEWSLETTER_BATCH_SIZE = _env_int("NEWSLETTER_BATCH_SIZE", 200)  # recipients per send job
        # How long a worker's claim on a message lasts before another may take it over (app.delivery).
        self.DELIVERY_LEASE_SECONDS = _env_int("DELIVERY_LEASE_SECONDS", 45)
        # Review photos (default: instance/uploads); the review link's lifetime.
        self.UPLOAD_FOLDER = _env("UPLOAD_FOLDER")
        # Largest request body anywhere (413 past it); the review form, the API and the
        # webhooks set their own limits per request.
        self.MAX_CONTENT_LENGTH = _env_int("MAX_REQUEST_BYTES", 1024 * 1024)
        self.REVIEW_LINK_MAX_AGE_DAYS = _env_int("REVIEW_LINK_MAX_AGE_DAYS", 60)
        # Asking the AI for a fresh draft, per user (every draft may cost money).
        self.DRAFT_REGENERATE_LIMIT = _env("DRAFT_REGENERATE_LIMIT", "6 per minute")

        self.PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
        self.PASSWORD_HASH_PROFILE = "default"  # "fast" only in tests
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        # Bearer token for /metrics (and /info); production serves no metrics without it.
        self.METRICS_TOKEN = _env("METRICS_TOKEN")
        self.APP_VERSION = _env("APP_VERSION", "0.1.0")
        self.GIT_REVISION = _env("GIT_REVISION")

    def validate(self) -> None:
        """Raise when this configuration cannot run safely."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECURE_COOKIES_DEFAULT = False  # `make run` serves plain http on localhost


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECURE_COOKIES_DEFAULT = False

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-secret"
        self.SQLALCHEMY_DATABASE_URI = _env(
            "TEST_DATABASE_URL",
            "postgresql+psycopg://postgres@127.0.0.1:5432/teppan_test",
        )
        self.REDIS_URL = None  # tests that need Redis ask for it explicitly
        self.RATELIMIT_ENABLED = False  # the throttling tests switch it on
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.PUBLIC_BASE_URL = "http://localhost"
        self.SMTP_HOST = None
        self.SENTRY_DSN = None
        self.OPENAI_API_KEY = None
        self.STRIPE_SECRET_KEY = None
        self.TWILIO_ACCOUNT_SID = None
        self.META_APP_SECRET = None
        self.META_VERIFY_TOKEN = None
        self.META_PAGE_ACCESS_TOKEN = None
        self.INBOUND_EMAIL_TOKEN = None
        self.IMAP_HOST = None
        self.ROUTING_API_URL = None
        self.PASSWORD_HASH_PROFILE = "fast"
        self.METRICS_TOKEN = None
        self.AI_MODEL_CACHE_DIR = os.path.join(tempfile.gettempdir(), "teppan-test-ai")
        # Never the repository's instance folder: per process, removed with the temp dir.
        self.UPLOAD_FOLDER = os.path.join(tempfile.gettempdir(), f"teppan-test-uploads-{os.getpid()}")


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = _env("SECRET_KEY")
        self.LOG_FORMAT = _env("LOG_FORMAT", "json")
        # Links in emails, QR codes and webhook checks name this address: no default guess.
        self.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")

    def validate(self) -> None:
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.SECRET_KEY),
                ("DATABASE_URL", self.SQLALCHEMY_DATABASE_URI),
                ("PUBLIC_BASE_URL", self.PUBLIC_BASE_URL),
            )
            if not value
        ]
        if missing:
            raise RuntimeError(
                "Production configuration is missing " + ", ".join(missing) + ": set it in the environment."
            )
        problem = base_url_problem(self.PUBLIC_BASE_URL)  # set, but is it an address?
        if problem:
            raise RuntimeError(f"Production configuration: {problem}.")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> Config:
    """The config object for `name`, or for TEPPAN_ENV (default: development)."""
    name = name or _env("TEPPAN_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown TEPPAN_ENV {name!r}; use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]()
