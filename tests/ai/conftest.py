"""AI tests need no database: they skip the suite's PostgreSQL transaction fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.ai import offline


@pytest.fixture(autouse=True)
def _rollback() -> Iterator[None]:
    """Overrides tests/conftest.py's PostgreSQL rollback fixture: nothing here touches the DB."""
    yield


@pytest.fixture(scope="session")
def base_model() -> offline.OfflineModel:
    """The shipped model, trained once per run (each test that retrains pays for its own)."""
    return offline.model_for()


@pytest.fixture
def ai_app(tmp_path):
    """An app on in-memory SQLite with the `flask ai` commands and a private model cache."""
    from app import create_app
    from app.ai import cli

    application = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", AI_MODEL_CACHE_DIR=str(tmp_path / "ai"))
    if "ai" not in application.cli.commands:  # the factory may wire it already
        cli.register(application)
    return application
