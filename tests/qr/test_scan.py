"""GET /q/<code>: counted scans, the redirect with UTM and tq, what is not counted."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.qr import QrCode, QrScan
from app.qr.scans import Destination, destination_url, ip_hash, is_link_preview
from tests.factories import StationFactory
from tests.qr.conftest import make_code

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def _scan(client, code: str, user_agent: str = PHONE, method: str = "GET"):
    return client.open(f"/q/{code}", method=method, headers={"User-Agent": user_agent})


def _counts(dbq, qr: QrCode) -> tuple[int, int]:
    return dbq.get(QrCode, qr.id).scans, dbq.count(QrScan, QrScan.qr_code_id == qr.id)


def test_a_scan_is_counted_and_redirected_with_utm_and_tq(client, flyer, dbq):
    response = _scan(client, flyer.code)

    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = urlsplit(response.location)
    assert (location.scheme, location.netloc, location.path, location.fragment) == (
        "https",
        "site.example",
        "/book",
        "menu",
    )
    assert parse_qsl(location.query) == [
        ("station", "alpha"),  # the target's own parameters first, in their order
        ("ref", "print"),
        ("utm_source", "qr"),
        ("utm_medium", "print"),
        ("utm_campaign", "spring"),
        ("utm_content", "flyer"),
        ("tq", flyer.code),
    ]
    assert _counts(dbq, flyer) == (1, 1)
    scan = dbq.scalar(select(QrScan).where(QrScan.qr_code_id == flyer.id))
    assert scan.user_agent == PHONE
    assert len(scan.ip_hash) == 64 and "127.0.0.1" not in scan.ip_hash


def test_the_codes_values_replace_same_named_target_parameters_never_duplicate_them():
    destination = Destination(
        target_url="https://site.example/p?utm_source=old&utm_content=keep&x=1&x=2&empty=&tq=stale",
        campaign="",
        utm={"utm_source": "qr", "utm_medium": "print"},
        code="abcd2345",
    )
    query = parse_qsl(urlsplit(destination_url(destination)).query, keep_blank_values=True)
    assert query == [
        ("utm_content", "keep"),  # the code has no content of its own: the target's stays
        ("x", "1"),
        ("x", "2"),
        ("empty", ""),
        ("utm_source", "qr"),
        ("utm_medium", "print"),
        ("tq", "abcd2345"),
    ]
    assert [key for key, _ in query].count("utm_source") == 1
    assert "utm_campaign" not in dict(query)  # no campaign: no empty utm_campaign=


@pytest.mark.parametrize(
    "user_agent",
    [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "WhatsApp/2.23.20.0",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "SkypeUriPreview Preview/0.5",
        "curl/8.5.0",
        "",
    ],
)
def test_link_previews_and_bots_are_redirected_but_not_counted(client, flyer, dbq, user_agent):
    response = _scan(client, flyer.code, user_agent)
    assert response.status_code == 302
    assert f"tq={flyer.code}" in response.location
    assert _counts(dbq, flyer) == (0, 0)


def test_head_requests_are_redirected_but_not_counted(client, flyer, dbq):
    response = _scan(client, flyer.code, method="HEAD")
    assert response.status_code == 302
    assert f"tq={flyer.code}" in response.location
    assert _counts(dbq, flyer) == (0, 0)


def test_phones_are_not_mistaken_for_bots():
    assert not is_link_preview(PHONE)
    assert not is_link_preview("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/124.0.0.0 Mobile Safari/537.36")


@pytest.mark.parametrize("code", ["nosuchcode", "ABCDEFGH", "a" * 41, "..", "%27%20or%201=1"])
def test_an_unknown_code_answers_a_404_page_and_writes_nothing(client, world, dbq, code):
    response = _scan(client, code)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "leads nowhere" in response.get_data(as_text=True)
    assert dbq.count(QrScan) == 0


def test_a_nul_in_the_code_is_refused_before_any_query(client, world, dbq):
    assert _scan(client, "abc%00def").status_code == 400  # app-wide: no NUL reaches PostgreSQL
    assert dbq.count(QrScan) == 0


def test_a_code_typed_in_capitals_still_works(client, flyer, dbq):
    response = _scan(client, flyer.code.upper())
    assert response.status_code == 302
    assert f"tq={flyer.code}" in response.location  # the canonical code goes to the site
    assert _counts(dbq, flyer) == (1, 1)


def test_the_ip_is_stored_only_as_a_keyed_hash(app):
    with app.app_context():
        assert ip_hash("203.0.113.7") == ip_hash("203.0.113.7")  # repeat visitors recognisable
        assert ip_hash("203.0.113.7") != ip_hash("203.0.113.8")
        assert ip_hash(None) is None
        first = ip_hash("203.0.113.7")
        app.secret_key, saved = "another-secret", app.secret_key
        try:
            assert ip_hash("203.0.113.7") != first  # salted with the app's secret
        finally:
            app.secret_key = saved


def test_a_counted_scan_costs_one_update_and_one_insert(client, flyer, count_queries):
    with count_queries() as counted:
        assert _scan(client, flyer.code).status_code == 302
    writes = [s.split()[0].upper() for s in counted.statements if s.split()[0].upper() in {"UPDATE", "INSERT"}]
    assert sorted(writes) == ["INSERT", "UPDATE"], counted.statements
    assert not any(s.lstrip().upper().startswith("SELECT") for s in counted.statements), counted.statements


SCANNERS = 10


@pytest.mark.committing
def test_concurrent_scans_are_all_counted(app):
    """10 threads, each with its own connection, scan at the same moment: 10 counted."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    with app.app_context():
        station = StationFactory(slug="scan-race", name="Scan race")
        qr = make_code(station)
        db.session.commit()
        qr_id, code = qr.id, qr.code

    barrier = threading.Barrier(SCANNERS)

    def scan_once(_: int) -> int:
        client = app.test_client()
        barrier.wait(timeout=30)  # everyone fires together
        return _scan(client, code).status_code

    with ThreadPoolExecutor(max_workers=SCANNERS) as pool:
        statuses = list(pool.map(scan_once, range(SCANNERS)))

    assert statuses == [302] * SCANNERS
    with app.app_context():
        assert db.session.get(QrCode, qr_id).scans == SCANNERS
        assert db.session.scalar(select(func.count()).where(QrScan.qr_code_id == qr_id)) == SCANNERS
