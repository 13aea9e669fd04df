"""Transaction-scoped advisory locks: serialise work on one natural key (an email, a phone).

Where no row exists yet to lock (a first sign-up, a first lead from an address), two
requests could both find nothing and both insert. `hold(*keys)` makes the second wait
until the first commits, then it finds the first's row. PostgreSQL only: SQLite (the
one-process demo) serialises writers anyway.
"""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


def hold(*keys: str | None) -> None:
    """Lock each non-empty key until this transaction ends (sorted: no deadlock between callers)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({key for key in keys if key}):
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
