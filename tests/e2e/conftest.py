from tests.own_redis import own_redis  # noqa: F401
from tests.support import make_app_fixture  # noqa: F401
