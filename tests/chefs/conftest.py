"""Fixtures of the chef tests: shared with the customer tests (isolated world, seeding,
query counting)."""

from tests.customers.conftest import count_queries, seed  # noqa: F401
from tests.support import dbq_fixture, isolated_world  # noqa: F401
