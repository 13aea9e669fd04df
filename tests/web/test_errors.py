"""Error pages keep the layout; JSON callers get JSON; HTMX gets a fragment; 500s roll back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.station import Station


def test_404_page_keeps_the_layout_for_signed_in_users(as_role):
    response = as_role("manager").get("/s/alpha/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert 'class="topbar"' in html
    assert "There is nothing at this address" in html


def test_404_for_json_callers_is_json(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["code"] == "not_found"


def test_404_under_api_is_json_even_for_browsers(client):
    response = client.get("/api/no-such-endpoint", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.is_json


def test_405_names_the_allowed_methods(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_403_for_htmx_is_an_inline_fragment(as_role):
    response = as_role("staff").get("/s/alpha/team/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert b"<html" not in response.data
    assert b"You do not have permission" in response.data


def test_403_full_page_keeps_the_layout(as_role):
    response = as_role("staff").get("/admin/users")
    assert response.status_code == 403
    assert b'class="topbar"' in response.data


@pytest.fixture
def failing_app(make_app, world):
    """An app whose /boom route writes a row, then fails."""
    broken = make_app(PROPAGATE_ERRORS_IN_TESTS=False)

    @broken.get("/boom")
    def boom():
        station = db.session.scalar(select(Station).where(Station.slug == "alpha"))
        station.name = "Half-written"
        db.session.flush()
        raise RuntimeError("kaboom")

    return broken


def test_500_page_keeps_the_layout_and_rolls_back(failing_app, dbq):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert "Something went wrong on our side" in html
    assert "kaboom" not in html  # no internals shown
    assert dbq.scalar(select(Station.name).where(Station.slug == "alpha")) == "Alpha"


def test_500_for_json_callers_is_json(failing_app):
    response = failing_app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "error"


def test_500_keeps_the_request_id(failing_app):
    response = failing_app.test_client().get("/boom", headers={"X-Request-ID": "trace-500"})
    assert response.headers["X-Request-ID"] == "trace-500"
