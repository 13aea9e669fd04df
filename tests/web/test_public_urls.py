"""Every absolute URL that leaves the app names PUBLIC_BASE_URL, whatever Host the request carried.

The attack: ask for a manager's password reset with `Host: evil.example` (or, behind a
proxy, `X-Forwarded-Host: evil.example`) and receive the manager's reset token at a
server of one's own when the manager clicks the mailed link.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.outbox import Notification
from app.web.urls import public_url
from tests.support import new_client

BASE = "https://ops.teppan.example"
HOSTILE = [
    pytest.param({"Host": "evil.example"}, id="Host"),
    pytest.param({"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}, id="X-Forwarded-Host"),
    pytest.param({"Host": "evil.example", "X-Forwarded-Host": "evil.example:8443"}, id="both"),
]


def _also_for_evil_host(client):
    """The browser of someone who reaches the app under Host: evil.example holds its cookies there."""
    client.csrf_token()  # puts a CSRF secret in the session cookie
    for name in ("session",):
        cookie = client.get_cookie(name, domain="localhost")
        client.set_cookie(name, cookie.value, domain="evil.example")
    return client


def _body(message: Notification) -> str:
    return message.body_text + (message.body_html or "")


def _links(message: Notification) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", _body(message))


def _assert_only_base_links(message: Notification) -> None:
    links = _links(message)
    assert links, "the email carries no link"
    assert "evil.example" not in _body(message)
    for link in links:
        assert link.startswith(BASE + "/"), link


@pytest.mark.parametrize("hops", [0, 1])
@pytest.mark.parametrize("headers", HOSTILE)
def test_a_reset_requested_with_a_hostile_host_links_to_the_configured_base(make_app, world, dbq, hops, headers):
    app = make_app(PUBLIC_BASE_URL=BASE, TRUSTED_PROXY_HOPS=hops)
    client = _also_for_evil_host(app.test_client())
    response = client.post_form("/password/forgot", {"email": "manager@example.com"}, headers=headers)
    assert response.status_code == 302
    message = dbq.scalar(select(Notification).where(Notification.kind == "password_reset"))
    assert message.recipient == "manager@example.com"
    _assert_only_base_links(message)
    assert f"{BASE}/password/reset/" in message.body_text


@pytest.mark.parametrize("hops", [0, 1])
@pytest.mark.parametrize("headers", HOSTILE)
def test_an_invitation_sent_with_a_hostile_host_links_to_the_configured_base(make_app, world, dbq, hops, headers):
    app = make_app(PUBLIC_BASE_URL=BASE, TRUSTED_PROXY_HOPS=hops)
    manager = _also_for_evil_host(new_client(app, "manager@example.com"))
    response = manager.post_form(
        "/s/alpha/team/invite",
        {"name": "New Person", "email": "new.person@example.com", "role": "staff"},
        headers=headers,
    )
    assert response.status_code == 303
    message = dbq.scalar(select(Notification).where(Notification.kind == "invitation"))
    _assert_only_base_links(message)
    assert f"{BASE}/password/reset/" in message.body_text


def test_the_proxy_headers_count_only_behind_a_configured_proxy(make_app):
    """TRUSTED_PROXY_HOPS=0 ignores X-Forwarded-*; 1 believes the last proxy (request.host)."""
    seen = {}
    for hops in (0, 1):
        app = make_app(TRUSTED_PROXY_HOPS=hops)

        @app.get("/_probe")
        def probe():
            from flask import request

            return {"host": request.host, "scheme": request.scheme, "ip": request.remote_addr}

        headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        seen[hops] = app.test_client().get("/_probe", headers=headers).json
    assert seen[0] == {"host": "localhost", "scheme": "http", "ip": "127.0.0.1"}
    assert seen[1] == {"host": "evil.example", "scheme": "https", "ip": "203.0.113.9"}


def test_public_url_ignores_the_request_and_keeps_a_path_prefix(make_app):
    app = make_app(PUBLIC_BASE_URL="https://example.com/teppan/")
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert public_url("auth.login") == "https://example.com/teppan/login"
    with app.app_context():  # a job: no request at all
        assert public_url("qr_public.scan", code="ABC") == "https://example.com/teppan/q/ABC"


def test_no_module_builds_absolute_urls_from_the_request():
    """One helper (app.web.urls) builds absolute URLs; the request's host is never used for one."""
    root = Path(__file__).resolve().parents[2]
    forbidden = re.compile(r"_external\s*=\s*True|request\.(host_url|url_root)")
    sources = [
        *(root / "app").rglob("*.py"),
        *(root / "templates").rglob("*.html"),
        *(root / "templates").rglob("*.txt"),
    ]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if forbidden.search(line)
    ]
    assert len(sources) > 100  # the walk found the code and the templates
    assert offenders == []
