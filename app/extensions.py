"""Extension singletons, bound to an app in `create_app`."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep migrations portable (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def client_ip() -> str:
    """The caller's address (ProxyFix has already applied X-Forwarded-For)."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_ip, headers_enabled=True)


def upsert_insert(entity):
    """`INSERT` with `.on_conflict_do_nothing()` for the session's database (PostgreSQL or SQLite).

    Rows written once by a natural key (slot locks, messages, notifications, recipients)
    insert this way and let the unique index settle races.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(entity)
