"""Shared test helpers: an isolated `world`, extra apps on the test connection, DB reads.

Why `world` is redefined here: the root conftest's `world` fixture yields while its
`app.app_context()` is still pushed. A request made by the test client then reuses
that app context instead of pushing its own, so `g` survives from one request to the
next, and with it Flask-Login's cached user (`g._login_user`): an anonymous client
following a manager's request is served as the manager, a staff client as whoever
came before. This module's `world` builds the same rows, then leaves the app context,
so every request gets a clean `g`; `as_role` is redefined to use it and to sign in
through the session rather than the form. Test modules opt in with
`from tests.support import isolated_world  # noqa: F401` (or via a conftest); the
fixtures here are named for pytest (`world`, `as_role`, `make_app`, `dbq`) apart from their
Python names so that importing them trips no linter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask_login import login_user
from sqlalchemy import func, select

from app import create_app
from app.auth import passwords
from app.extensions import db, limiter
from app.models.user import User
from tests.conftest import TEST_DATABASE_URL, TeppanClient, sign_in
from tests.factories import World, build_world


def load_world(app: Flask) -> World:
    """The two-station world, committed (to the test's outer transaction) and detached."""
    with app.app_context():
        world = build_world()
        db.session.commit()
        for station in (world.station, world.other):
            db.session.refresh(station)
        for user in world.users.values():
            db.session.refresh(user)  # loads memberships (and their stations) eagerly
        db.session.expunge_all()
    return world


@pytest.fixture(name="world")
def isolated_world(app) -> World:
    """Stations alpha/beta and their users, with no app context left pushed."""
    return load_world(app)


@pytest.fixture(name="make_app")
def make_app_fixture(app):
    """Build another app (e.g. with the limiter on) that reads the test's transaction.

    The extension singletons are shared between apps: Flask-Limiter keeps its
    enabled flag and storage on the `limiter` object itself, so its state is put back
    afterwards, or the session app would start throttling every later sign-in; the
    same goes for the password hasher that the factory selects.
    """
    saved_limiter = dict(limiter.__dict__)
    # The factory also picks the process-wide password hasher (PASSWORD_HASH_PROFILE).
    saved_hasher = (passwords._hasher, passwords._DUMMY_HASH)
    own_engines = []

    def _make(config: str = "testing", *, share_db: bool = True, **overrides: Any) -> Flask:
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", TEST_DATABASE_URL)
        new_app = create_app(config, **overrides)
        new_app.test_client_class = TeppanClient
        engines = db._app_engines[new_app]
        own_engines.append(engines[None])
        if share_db:
            # The per-test connection (see conftest._rollback): same rows, same rollback.
            engines[None] = db._app_engines[app][None]
        return new_app

    yield _make
    for engine in own_engines:
        engine.dispose()
    limiter.__dict__.clear()
    limiter.__dict__.update(saved_limiter)
    passwords._hasher, passwords._DUMMY_HASH = saved_hasher


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Whatever the requests inside do to the database is undone afterwards."""
    connection = db._app_engines[app][None]
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


class DB:
    """Reads for assertions, each in a fresh app context (never shared with requests)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def scalar(self, stmt):
        with self.app.app_context():
            return db.session.scalar(stmt)

    def scalars(self, stmt) -> list:
        with self.app.app_context():
            return list(db.session.scalars(stmt))

    def get(self, model, ident):
        with self.app.app_context():
            return db.session.get(model, ident)

    def count(self, model, *criteria) -> int:
        return self.scalar(select(func.count()).select_from(model).where(*criteria))


@pytest.fixture(name="dbq")
def dbq_fixture(app) -> DB:
    return DB(app)


def session_sign_in(client: TeppanClient, email: str) -> TeppanClient:
    """Sign `client` in as `email` without the login form.

    Flask-Login's own `login_user` writes the session, exactly as /login would (see
    tests/auth/test_login.py, which also tests the form); skipped are the password
    check (argon2) and the database write of the last sign-in.
    """
    app = client.application
    with app.test_request_context(environ_base=client.environ_base) as context:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, f"no user {email}"
        assert login_user(user), f"{email} may not sign in"
        signed_in = dict(context.session)
    with client.session_transaction() as session:
        session.update(signed_in)
    return client


def new_client(app: Flask, email: str | None = None, password: str | None = None) -> TeppanClient:
    """A fresh client, signed in when `email` is given (through /login if `password` is)."""
    client = app.test_client()
    if email and password:
        sign_in(client, email, password)
    elif email:
        session_sign_in(client, email)
    return client


@pytest.fixture(name="as_role")
def session_as_role(app, world):
    """as_role("manager") -> a client signed in as that user of the world (cached per test)."""
    cache: dict[str, TeppanClient] = {}

    def _client(who: str) -> TeppanClient:
        if who not in cache:
            cache[who] = new_client(app, world.users[who].email)
        return cache[who]

    return _client


def flashes(client: TeppanClient) -> list[tuple[str, str]]:
    """The flash messages waiting in the client's session (category, message)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))
