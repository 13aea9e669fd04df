"""Pricing is pure: its tests need no database, so they skip the suite's per-test transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.pricing import distance


@pytest.fixture(autouse=True)
def _rollback() -> Iterator[None]:
    """Overrides tests/conftest.py's PostgreSQL rollback fixture: nothing here touches the DB."""
    yield


@pytest.fixture(autouse=True)
def _fresh_route_cache() -> Iterator[None]:
    """Routed distances are cached per process; each test must see its own fake API."""
    distance._route_metres.cache_clear()
    yield
    distance._route_metres.cache_clear()
