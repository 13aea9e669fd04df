from tests.customers.conftest import seed  # noqa: F401
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401
