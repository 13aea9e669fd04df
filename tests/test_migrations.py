"""Migrations: one head, upgrade from empty on PostgreSQL and SQLite, models == migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, recreate_database
from tests.support import make_app_fixture  # noqa: F401

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
# A database of its own, named after the test database so parallel checkouts do not collide.
MIGRATIONS_DATABASE_URL = make_url(TEST_DATABASE_URL).set(database=f"{make_url(TEST_DATABASE_URL).database}_migrations")


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config)


def schema_differences() -> list:
    """What autogenerate would write: the models against the migrated database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def drop_database(url) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def test_exactly_one_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_every_revision_chains_to_the_base():
    scripts = script_directory()
    revisions = list(scripts.walk_revisions())
    assert revisions, "no migrations"
    bases = [r for r in revisions if r.down_revision is None]
    assert len(bases) == 1, [r.revision for r in bases]


@pytest.fixture
def fresh_postgres(make_app):
    url = MIGRATIONS_DATABASE_URL.render_as_string(hide_password=False)
    recreate_database(url)
    migrated = make_app(share_db=False, SQLALCHEMY_DATABASE_URI=url)
    yield migrated
    with migrated.app_context():
        db.engine.dispose()
    drop_database(MIGRATIONS_DATABASE_URL)


def test_upgrade_from_empty_on_postgresql_matches_the_models(fresh_postgres):
    head = script_directory().get_current_head()
    with fresh_postgres.app_context():
        assert table_names() == set()
        upgrade(directory=MIGRATIONS)
        assert current_revision() == head
        assert {t.name for t in db.metadata.sorted_tables} <= table_names()
        differences = schema_differences()
        assert differences == [], "models and migrations differ (run `flask db migrate`):\n" + "\n".join(
            map(str, differences)
        )

        # And back down: every migration can be undone, then redone.
        downgrade(directory=MIGRATIONS, revision="base")
        assert table_names() <= {"alembic_version"}
        upgrade(directory=MIGRATIONS)
        assert current_revision() == head


def test_upgrade_from_empty_on_sqlite_matches_the_models(make_app, tmp_path):
    path = tmp_path / "fresh.db"
    migrated = make_app(share_db=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with migrated.app_context():
        upgrade(directory=MIGRATIONS)
        assert current_revision() == script_directory().get_current_head()
        assert {t.name for t in db.metadata.sorted_tables} <= table_names()
        differences = schema_differences()
        assert differences == [], "models and migrations differ on SQLite:\n" + "\n".join(map(str, differences))
        downgrade(directory=MIGRATIONS, revision="base")
        assert table_names() <= {"alembic_version"}
        db.engine.dispose()
