"""Teppan's test suite (a package, so that `tests.factories` and `app` import from the root).

tests/factories.py hashes its password when first imported, which for some test
modules is at collection, before any app exists: select the testing config's (cheap)
password hasher now, as the app factory would, so that hash is cheap to verify.
"""

from app.auth import passwords
from config import TestingConfig

passwords.use_profile(TestingConfig().PASSWORD_HASH_PROFILE)
