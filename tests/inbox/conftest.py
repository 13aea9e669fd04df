"""Conversation tests use the detached `world`, session sign-in, and extra apps (see tests/support.py)."""

from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401
