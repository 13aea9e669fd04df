"""The QR pages: list, new, code page (with its HTMX scans window), edit, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.base import utcnow
from app.models.qr import QrCode, QrScan
from tests.support import flashes

GOOD = {
    "name": "Truck decal",
    "campaign": "truck",
    "target_url": "https://site.example/book",
    "utm_source": "",
    "utm_medium": "",
    "utm_content": "left-side",
}


def test_a_manager_creates_a_code_with_the_defaults(as_role, world, dbq):
    response = as_role("manager").post_form("/s/alpha/qr/new", GOOD)
    assert response.status_code == 303
    qr = dbq.scalar(select(QrCode))
    assert response.location.endswith(f"/s/alpha/qr/{qr.id}")
    assert (qr.station_id, qr.name, qr.campaign, qr.target_url) == (
        world.station.id,
        "Truck decal",
        "truck",
        "https://site.example/book",
    )
    assert qr.utm == {"utm_source": "qr", "utm_medium": "print", "utm_content": "left-side"}
    assert len(qr.code) == 8 and qr.code.isalnum() and qr.code == qr.code.lower()
    assert qr.scans == 0
    assert dbq.count(AuditEntry, AuditEntry.action == "qr.created") == 1


def test_the_new_form_offers_the_stations_booking_page(as_role, world):
    page = as_role("manager").get("/s/alpha/qr/new").get_data(as_text=True)
    assert 'value="http://localhost/book?station=alpha"' in page  # PUBLIC_BASE_URL: no site origins set
    assert 'value="qr"' in page and 'value="print"' in page


def test_the_public_sites_origin_comes_first_when_configured(make_app, world):
    app = make_app(PUBLIC_SITE_ORIGINS=["https://hibachi.example", "https://www.hibachi.example"])
    with app.test_request_context():
        from app.qr.services import default_target_url

        assert default_target_url(world.station) == "https://hibachi.example/book?station=alpha"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_url", "javascript:alert(document.cookie)"),
        ("target_url", "JavaScript:alert(1)"),
        ("target_url", "ftp://files.example/menu.pdf"),
        ("target_url", "data:text/html,<script>alert(1)</script>"),
        ("target_url", "//site.example/book"),
        ("target_url", "https://"),
        ("target_url", "https://user:pw@site.example/"),
        ("target_url", "https://site.example/a b"),
        ("target_url", "https:\\\\evil.example"),
        ("target_url", "https://site.example:99999/"),
        ("target_url", "https://site.example/" + "a" * 2000),
        ("name", ""),
        ("name", "   "),
        ("name", "n" * 121),
        ("campaign", "c" * 101),
        ("utm_content", "u" * 101),
    ],
)
def test_bad_input_answers_422_and_writes_nothing(as_role, world, dbq, field, value):
    response = as_role("manager").post_form("/s/alpha/qr/new", {**GOOD, field: value})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert dbq.count(QrCode) == 0
    assert dbq.count(AuditEntry) == 0


def test_staff_and_chefs_may_not_manage_codes(as_role, world, dbq):
    for who in ("staff", "chef"):
        assert as_role(who).get("/s/alpha/qr/").status_code == 403
        assert as_role(who).post_form("/s/alpha/qr/new", GOOD).status_code == 403
    assert dbq.count(QrCode) == 0


def test_another_stations_code_answers_404_everywhere(as_role, world, qr_factory, dbq):
    beta_code = qr_factory(world.other, name="Dallas flyer")
    client = as_role("manager")
    for suffix in ("", ".svg", ".png"):
        assert client.get(f"/s/alpha/qr/{beta_code.id}{suffix}").status_code == 404
    assert client.post_form(f"/s/alpha/qr/{beta_code.id}", {**GOOD}).status_code == 404
    assert client.post_form(f"/s/alpha/qr/{beta_code.id}/delete").status_code == 404
    assert dbq.get(QrCode, beta_code.id).name == "Dallas flyer"


# 11:00 in Atlanta: an hour or two before is the same station-local day (just after
# midnight it would not be, and the page would rightly show one day more).
LATE_MORNING = datetime(2026, 6, 15, 15, 0, tzinfo=UTC)


@time_machine.travel(LATE_MORNING, tick=False)
def test_the_code_page_shows_image_scan_url_and_scans_by_day(app, as_role, world, flyer):
    with app.app_context():
        now = utcnow()
        for ago in (timedelta(hours=1), timedelta(hours=2), timedelta(days=3), timedelta(days=45)):
            db.session.add(QrScan(qr_code_id=flyer.id, scanned_at=now - ago, user_agent="x", ip_hash="h"))
        db.session.commit()
    page = as_role("manager").get(f"/s/alpha/qr/{flyer.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<img src="/s/alpha/qr/{flyer.id}.svg"' in html
    assert f"http://localhost/q/{flyer.code}" in html
    assert f"tq={flyer.code}" in html  # where a scan leads, UTM included
    assert html.count("data-day=") == 2  # today-ish and 3 days ago; 45 days ago is outside 30
    assert "<html" in html

    fragment = as_role("manager").htmx("GET", f"/s/alpha/qr/{flyer.id}?days=90")
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="qr-scans">')
    assert body.count("data-day=") == 3
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_editing_changes_where_it_leads_but_never_the_code(as_role, flyer, dbq):
    changes = {**GOOD, "name": "Flyer v2", "target_url": "https://site.example/summer"}
    response = as_role("manager").post_form(f"/s/alpha/qr/{flyer.id}", changes)
    assert response.status_code == 303
    saved = dbq.get(QrCode, flyer.id)
    assert (saved.name, saved.target_url, saved.code) == ("Flyer v2", "https://site.example/summer", flyer.code)
    assert dbq.count(AuditEntry, AuditEntry.action == "qr.updated") == 1


def test_a_bad_edit_answers_422_and_keeps_the_code_as_it_was(as_role, flyer, dbq):
    response = as_role("manager").post_form(f"/s/alpha/qr/{flyer.id}", {**GOOD, "target_url": "javascript:void(0)"})
    assert response.status_code == 422
    assert "Only http:// and https://" in response.get_data(as_text=True)
    assert dbq.get(QrCode, flyer.id).target_url == flyer.target_url


def test_a_code_nobody_scanned_can_be_deleted(as_role, flyer, dbq):
    response = as_role("manager").post_form(f"/s/alpha/qr/{flyer.id}/delete")
    assert response.status_code == 303
    assert response.location.endswith("/s/alpha/qr/")
    assert dbq.get(QrCode, flyer.id) is None
    assert dbq.count(AuditEntry, AuditEntry.action == "qr.deleted") == 1


def test_a_scanned_code_is_refused_deletion_with_the_reason(as_role, client, flyer, dbq):
    assert client.get(f"/q/{flyer.code}", headers={"User-Agent": "Mozilla/5.0 (iPhone)"}).status_code == 302
    manager = as_role("manager")
    response = manager.post_form(f"/s/alpha/qr/{flyer.id}/delete")
    assert response.status_code == 303
    assert response.location.endswith(f"/s/alpha/qr/{flyer.id}")
    [(level, message)] = flashes(manager)
    assert level == "error" and "has been scanned" in message
    assert dbq.get(QrCode, flyer.id).scans == 1
    assert dbq.count(QrScan) == 1

    hx = manager.htmx("POST", f"/s/alpha/qr/{flyer.id}/delete")
    assert hx.status_code == 409
    assert "has been scanned" in hx.headers["HX-Trigger"]
    assert dbq.get(QrCode, flyer.id) is not None


def test_the_list_counts_scans_per_code(as_role, client, world, qr_factory):
    flyer = qr_factory(world.station, name="Flyer")
    qr_factory(world.station, name="Truck")
    for _ in range(3):
        client.get(f"/q/{flyer.code}", headers={"User-Agent": "Mozilla/5.0 (iPhone)"})
    html = as_role("manager").get("/s/alpha/qr/").get_data(as_text=True)
    row = html.split(f'data-qr="{flyer.code}"')[1].split("</tr>")[0]
    assert '<td data-count="scans">3</td>' in row


def test_the_list_query_count_does_not_grow_with_codes(as_role, world, qr_factory, count_queries):
    client = as_role("manager")
    qr_factory(world.station, name="One")
    with count_queries() as few:
        assert client.get("/s/alpha/qr/").status_code == 200
    for n in range(6):
        qr_factory(world.station, name=f"More {n}")
    with count_queries() as many:
        response = client.get("/s/alpha/qr/")
    assert response.get_data(as_text=True).count("data-qr=") == 7
    assert few.count == many.count, "\n".join(many.statements)


def test_the_empty_list_says_what_to_do(as_role, world):
    html = as_role("manager").get("/s/alpha/qr/").get_data(as_text=True)
    assert "No QR codes yet." in html
