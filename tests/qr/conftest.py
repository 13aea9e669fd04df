"""QR test fixtures: the isolated world, and codes made through the service."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models.qr import QrCode
from app.qr.services import QrCodeData, create_qr_code
from tests.customers.conftest import count_queries, seed  # noqa: F401
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401


def make_code(station, **fields) -> QrCode:
    """A code of `station` made by the service (inside an app context)."""
    data = {"name": "Spring flyer", "campaign": "spring", "utm_content": "flyer", **fields}
    return create_qr_code(db.session.merge(station), QrCodeData(**data))


@pytest.fixture
def qr_factory(app):
    """qr_factory(station, **fields) -> a committed, detached QrCode with its columns loaded."""

    def _make(station, **fields) -> QrCode:
        with app.app_context():
            qr = make_code(station, **fields)
            db.session.commit()
            db.session.refresh(qr)
            db.session.expunge(qr)
        return qr

    return _make


@pytest.fixture
def flyer(world, qr_factory) -> QrCode:
    """A code of station alpha pointing at a page that already has query parameters."""
    return qr_factory(world.station, target_url="https://site.example/book?station=alpha&ref=print#menu")
