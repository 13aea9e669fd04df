"""CSRF: every form post and every HTMX request carries the session's token."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models.station import Station
from app.models.user import Membership, User
from tests.conftest import csrf_from_page
from tests.factories import PASSWORD
from tests.support import new_client

INVITE = {"name": "Nina Newhire", "email": "nina@example.com", "role": "staff"}


def invited_count(dbq) -> int:
    return dbq.scalar(select(func.count()).select_from(Membership).join(User).where(User.email == "nina@example.com"))


def test_login_form_without_token_is_400(client, world):
    response = client.post("/login", data={"email": "manager@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert b"Your form expired or came from elsewhere" in response.data
    assert client.get("/s/alpha/").status_code == 302  # not signed in


def test_form_post_without_token_is_400_and_changes_nothing(as_role, world, dbq):
    response = as_role("manager").post("/s/alpha/team/invite", data=INVITE)
    assert response.status_code == 400
    assert invited_count(dbq) == 0


def test_form_post_with_a_forged_token_is_400(as_role, world, dbq):
    response = as_role("manager").post("/s/alpha/team/invite", data={**INVITE, "csrf_token": "forged"})
    assert response.status_code == 400
    assert invited_count(dbq) == 0


def test_token_of_another_session_is_refused(app, as_role, world, dbq):
    stranger = new_client(app)
    response = as_role("manager").post("/s/alpha/team/invite", data={**INVITE, "csrf_token": stranger.csrf_token()})
    assert response.status_code == 400
    assert invited_count(dbq) == 0


def test_form_post_with_the_token_from_the_page_works(as_role, world, dbq):
    client = as_role("manager")
    page = client.get("/s/alpha/team/")
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, "the invite form has no csrf_token field"
    token = match.group(1)
    response = client.post("/s/alpha/team/invite", data={**INVITE, "csrf_token": token})
    assert response.status_code == 303
    assert invited_count(dbq) == 1


def test_htmx_post_with_header_token_works(as_role, world, dbq):
    response = as_role("manager").htmx("post", "/s/alpha/team/invite", data=INVITE)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/s/alpha/team/"
    assert invited_count(dbq) == 1


def test_htmx_post_without_header_is_400_with_an_inline_message(as_role, world, dbq):
    response = as_role("manager").post("/s/alpha/team/invite", data=INVITE, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert b"<html" not in response.data  # a fragment for the page's error slot
    assert b"Your form expired" in response.data
    assert invited_count(dbq) == 0


def test_htmx_header_token_from_the_page_body_works(as_role, world, dbq):
    """The token the browser sends is the one in <body hx-headers>."""
    client = as_role("owner")
    page = client.get("/admin/stations/new")
    token = csrf_from_page(page.get_data(as_text=True))
    response = client.post(
        "/admin/stations/new",
        data={"name": "Gamma", "slug": "gamma", "timezone": "America/Denver", "zip_code": "80202"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 303
    assert dbq.count(Station, Station.slug == "gamma") == 1


def test_logout_and_settings_need_the_token_too(as_role, world, dbq):
    owner = as_role("owner")
    assert owner.post("/s/alpha/settings/", data={"adult_price_cents": "1"}).status_code == 400
    assert dbq.scalar(select(Station.settings_overrides).where(Station.slug == "alpha")) == {}
    assert owner.post("/logout").status_code == 400
