"""All models, imported so that Alembic and `db.create_all` see every table."""

from app.models.audit import AuditEntry
from app.models.mail import EmailMessage
from app.models.station import Station
from app.models.user import Membership, Role, User

__all__ = ["AuditEntry", "EmailMessage", "Membership", "Role", "Station", "User"]
