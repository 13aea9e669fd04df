"""QR services without requests: codes, target rules, the guarded delete, demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.models.base import utcnow
from app.models.qr import QrCode, QrScan
from app.qr import demo
from app.qr.services import CODE_ALPHABET, delete_qr_code, new_code, target_problem
from tests.qr.conftest import make_code


def test_codes_are_short_random_and_url_safe(app):
    with app.app_context():
        codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= CODE_ALPHABET for code in codes)


@pytest.mark.parametrize(
    "url",
    [
        "https://site.example/book",
        "http://site.example",
        "HTTPS://Site.Example/book?station=alpha#menu",
        "https://site.example:8443/p?q=1&r=",
        "https://xn--hibachi-9ya.example/",
    ],
)
def test_http_and_https_addresses_are_accepted(url):
    assert target_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox",
        "mailto:a@b.example",
        "ftp://files.example/",
        "site.example/book",
        "/book",
        "//site.example/book",
        "https:///path",
        "https://@/",
        "https://u:p@site.example",
        "https://site.example\\@evil.example",
        "https://site.example/\x00",
        "https://site.example:port/",
    ],
)
def test_anything_else_is_refused_with_a_reason(url):
    assert target_problem(url)


def test_a_code_is_deleted_only_while_nobody_has_scanned_it(app, world):
    with app.app_context():
        qr = make_code(world.station)
        db.session.flush()
        # A scan counted by another request after this one loaded the row.
        db.session.execute(QrCode.__table__.update().where(QrCode.id == qr.id).values(scans=1))
        with pytest.raises(Conflict, match="has been scanned"):
            delete_qr_code(qr)
        assert db.session.get(QrCode, qr.id) is not None


def test_demo_codes_are_seeded_once_per_station_with_30_days_of_scans(app, world):
    with app.app_context():
        stations = {"alpha": db.session.merge(world.station), "beta": db.session.merge(world.other)}
        demo.seed_qr_codes(stations, {})
        demo.seed_qr_codes(stations, {})  # idempotent
        codes = db.session.scalars(select(QrCode).order_by(QrCode.station_id, QrCode.id)).all()
        assert [qr.name for qr in codes] == [name for name, *_ in demo.DEMO_CODES] * 2
        for qr in codes:
            scans = db.session.scalar(select(func.count()).where(QrScan.qr_code_id == qr.id))
            assert qr.scans == scans > 0
        oldest = db.session.scalar(select(func.min(QrScan.scanned_at)))
        assert utcnow() - oldest <= timedelta(days=demo.DAYS + 1)
