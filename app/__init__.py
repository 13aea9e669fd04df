"""Teppan: the operations console of a multi-station hibachi catering business."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | str | None = None, **overrides) -> Flask:
    """Build the app. `config` is a Config object or an env name; overrides win."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    cfg = config if isinstance(config, Config) else load_config(config)
    cfg.validate()
    app.config.from_object(cfg)
    app.config.update(overrides)
    _default_database(app)

    from app.auth.passwords import use_profile

    use_profile(app.config["PASSWORD_HASH_PROFILE"])

    # Trust X-Forwarded-* only from as many proxies as configured (0: headers ignored,
    # so a client cannot fake its IP to dodge the per-IP limits).
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app.logs import configure_logging, init_request_id

    configure_logging(app)
    init_request_id(app)
    _init_sentry(app)
    _init_extensions(app)
    from app.web.routing import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any rule is added
    _register_blueprints(app)

    from app.web import errors, layout, security

    errors.register(app)
    layout.register(app)
    security.register(app)

    from app import cli
    from app.inbox import learning
    from app.jobs import catalog, outbox
    from app.jobs import cli as jobs_cli

    catalog.load()
    outbox.init_app(app)
    learning.register(app)
    cli.register(app)
    jobs_cli.register(app)
    from app.ai import cli as ai_cli

    ai_cli.register(app)
    return app


def _default_database(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'teppan.db'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    # Heroku-style URLs name the driver "postgres"; psycopg 3 is what we ship.
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len(prefix) :]


def _init_sentry(app: Flask) -> None:
    if not app.config.get("SENTRY_DSN"):
        return
    import sentry_sdk

    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        environment=app.config["ENV_NAME"],
        release=app.config["APP_VERSION"],
        send_default_pii=False,
        traces_sample_rate=0.0,
    )


def _init_extensions(app: Flask) -> None:
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)

    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)

    from app.auth.session import init_login

    init_login(app, login_manager)

    from app.ops.metrics import init_metrics

    init_metrics(app)

    import app.models


def _tune_sqlite(engine) -> None:
    """The try-out database: write-ahead log, no fsync per commit (a crash of the app loses
    nothing; a power cut may lose the last commits). Seeding and inline jobs commit often."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.analytics import bp as analytics_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.bookings import bp as bookings_bp
    from app.calendars import bp as calendars_bp
    from app.calendars import public_bp as feeds_bp
    from app.chefs import bp as chefs_bp
    from app.customers import bp as customers_bp
    from app.dashboard import bp as dashboard_bp
    from app.dashboard import home_bp
    from app.delivery.webhooks import webhooks_bp as delivery_webhooks_bp
    from app.inbox import bp as inbox_bp
    from app.inbox import webhooks_bp as conversation_webhooks_bp
    from app.jobs import bp as jobs_bp
    from app.leads import bp as leads_bp
    from app.newsletter import bp as newsletter_bp
    from app.newsletter import public_bp as newsletter_public_bp
    from app.notifications import bp as messages_bp
    from app.notifications import webhooks_bp as notification_webhooks_bp
    from app.ops import bp as ops_bp
    from app.payments import bp as payments_bp
    from app.payments import public_bp as payments_public_bp
    from app.qr import bp as qr_bp
    from app.qr import public_bp as qr_public_bp
    from app.reviews import bp as reviews_bp
    from app.reviews import public_bp as reviews_public_bp
    from app.selfservice import bp as manage_bp
    from app.settings import bp as settings_bp
    from app.team import bp as team_bp

    for bp in (
        ops_bp,
        auth_bp,
        home_bp,
        dashboard_bp,
        bookings_bp,
        customers_bp,
        chefs_bp,
        team_bp,
        settings_bp,
        admin_bp,
        api_bp,
        jobs_bp,
        payments_bp,
        payments_public_bp,
        notification_webhooks_bp,
        messages_bp,
        delivery_webhooks_bp,
        inbox_bp,
        conversation_webhooks_bp,
        leads_bp,
        reviews_bp,
        reviews_public_bp,
        newsletter_bp,
        newsletter_public_bp,
        qr_bp,
        qr_public_bp,
        analytics_bp,
        manage_bp,
        calendars_bp,
        feeds_bp,
    ):
        app.register_blueprint(bp)

    from app.extensions import csrf

    # The public API is called cross-origin without cookies: no session to forge.
    csrf.exempt(api_bp)
    # Webhooks authenticate by the provider's signature, not a session.
    csrf.exempt(payments_public_bp)
    csrf.exempt(notification_webhooks_bp)
    csrf.exempt(delivery_webhooks_bp)
    csrf.exempt(conversation_webhooks_bp)
