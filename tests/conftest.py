"""Test fixtures: a PostgreSQL database of our own, per-test rollback, signed-in clients.

The database (teppan_test, or TEST_DATABASE_URL) is dropped, created and migrated once
per run. Each test runs inside a transaction that is rolled back at the end: the
app's engine is swapped for one connection holding an open transaction, and the
session joins it with savepoints, so `db.session.commit()` in the code under test
commits a savepoint only (flask-sqlalchemy issues #1171/#1167).
"""

from __future__ import annotations

import os
import re
import secrets

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

# A database of this run's own (several runs may share a server); dropped at the end.
TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:5432/teppan_test_{os.getpid()}"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def drop_database(url: str, *, create: bool = False) -> None:
    """Drop (and with create=True, create again) the database named in `url`."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": target.database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def recreate_database(url: str) -> None:
    """An empty database at `url`."""
    drop_database(url, create=True)


class TeppanClient(FlaskClient):
    """A test client that can send the CSRF token the way the browser does."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token") or secrets.token_hex(20)
            session["csrf_token"] = raw
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def htmx(self, method: str, url: str, **kwargs):
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf_token()}
        headers.update(kwargs.pop("headers", {}))
        return self.open(url, method=method.upper(), headers=headers, **kwargs)


@pytest.fixture(scope="session")
def app():
    recreate_database(TEST_DATABASE_URL)
    application = create_app("testing", SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL)
    application.test_client_class = TeppanClient
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
    # Sessions bound to the per-test connection commit savepoints, not the transaction.
    db.session.session_factory.kw["join_transaction_mode"] = "create_savepoint"
    yield application
    db._app_engines[application][None].dispose()
    if "TEST_DATABASE_URL" not in os.environ:
        drop_database(TEST_DATABASE_URL)


@pytest.fixture(autouse=True)
def _rollback(request, app):
    """Every test inside one outer transaction, rolled back at the end."""
    if request.node.get_closest_marker("committing"):
        yield
        _empty_tables(app)
        return
    engines = db._app_engines[app]
    engine = engines[None]
    connection = engine.connect()
    outer = connection.begin()
    engines[None] = connection
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        engines[None] = engine
        outer.rollback()
        connection.close()


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def ctx(app):
    """A request context for tests that call services directly (and make no requests)."""
    with app.test_request_context():
        yield


@pytest.fixture
def client(app) -> TeppanClient:
    return app.test_client()


@pytest.fixture
def world(app):
    """Two stations with a user of every role at the first and a manager and staff at the second.

    Built, committed (to the test's outer transaction) and detached: no app context stays
    pushed, so every request of the test client gets its own `g` and session.
    """
    from tests.support import load_world

    return load_world(app)


def sign_in(client: TeppanClient, email: str, password: str | None = None):
    """Sign in through the real /login form (argon2 and all)."""
    from tests.factories import PASSWORD

    response = client.post_form("/login", {"email": email, "password": password or PASSWORD})
    assert response.status_code == 302, response.data[:500]
    return response


@pytest.fixture
def as_role(app, world):
    """as_role("manager") -> a client signed in as that user of the world (cached per test)."""
    from tests.support import new_client

    cache: dict[str, TeppanClient] = {}

    def _client(who: str) -> TeppanClient:
        if who not in cache:
            cache[who] = new_client(app, world.users[who].email)
        return cache[who]

    return _client


def csrf_from_page(html: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)
