"""Teppan's test suite (a package: `tests.factories` and `app` import from the root)."""
