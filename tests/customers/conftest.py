"""Fixtures of the customer (and chef) tests: seeding rows, counting SQL queries.

The `world` here is the isolated one of tests/support.py: no app context stays pushed,
so every request gets its own `g`, session and signed-in user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db
from tests.support import dbq_fixture, isolated_world  # noqa: F401


@pytest.fixture
def seed(app):
    """`with seed():` make rows with factories; they are committed (to the test's outer
    transaction) and come out detached with their columns loaded, so tests read ids."""

    @contextmanager
    def seeding() -> Iterator[None]:
        with app.app_context():
            session = db.session()
            session.expire_on_commit = False
            yield
            session.commit()
            session.expunge_all()

    return seeding


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries():
    """`with count_queries() as counter:` ... `counter.count` SQL statements ran.

    Listens on the Engine class: in tests the app's engine is swapped for a Connection
    (tests/conftest.py), whose statements still pass through its Engine's events.
    Savepoint bookkeeping (the test harness's, not the app's) is not counted.
    """

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(Engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(Engine, "before_cursor_execute", before)

    return counting
