"""Owner pages: stations, users, the audit log and sent messages."""

from app.web.access import signed_in_blueprint

bp = signed_in_blueprint("admin", __name__, "/admin")

from app.admin import views  # noqa: E402,F401
