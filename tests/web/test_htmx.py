"""HTMX helpers: page or fragment, toasts, redirects after mutations, Vary."""

from __future__ import annotations

import json

from flask import make_response

from app.web.htmx import add_toast, redirect_after_mutation, wants_fragment, wants_json


def test_fragment_only_for_htmx_requests_that_are_not_boosted(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        assert wants_fragment()
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-Boosted": "true"}):
        assert not wants_fragment()
    with app.test_request_context("/"):
        assert not wants_fragment()


def test_wants_json(app):
    with app.test_request_context("/", headers={"Accept": "application/json"}):
        assert wants_json()
    with app.test_request_context("/", headers={"Accept": "text/html,application/json;q=0.9"}):
        assert not wants_json()
    with app.test_request_context("/", headers={"Accept": "application/json", "HX-Request": "true"}):
        assert not wants_json()


def test_redirect_after_mutation(app):
    with app.test_request_context("/", method="POST", headers={"HX-Request": "true"}):
        response = redirect_after_mutation("/s/alpha/team/")
        assert response.status_code == 204
        assert response.headers["HX-Redirect"] == "/s/alpha/team/"
    with app.test_request_context("/", method="POST"):
        response = redirect_after_mutation("/s/alpha/team/")
        assert response.status_code == 303
        assert response.location == "/s/alpha/team/"


def test_toasts_merge_with_other_triggers(app):
    with app.test_request_context("/"):
        response = make_response("")
        response.headers["HX-Trigger"] = json.dumps({"refresh": True})
        add_toast(response, "Saved.")
        add_toast(response, "Careful.", "warning")
        triggers = json.loads(response.headers["HX-Trigger"])
    assert triggers["refresh"] is True
    assert triggers["toast"] == {"message": "Careful.", "level": "warning"}


def test_every_page_varies_on_hx_request(client, as_role):
    for response in (client.get("/login"), as_role("owner").get("/admin/stations")):
        assert "HX-Request" in response.headers["Vary"]
