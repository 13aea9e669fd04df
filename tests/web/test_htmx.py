"""HTMX helpers: page or fragment, Vary, and finish_mutation (the answer to every POST)."""

from __future__ import annotations

import json

import pytest
from flask import get_flashed_messages, make_response
from sqlalchemy import select

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.station import Station
from app.web.htmx import finish_mutation, wants_fragment, wants_json

HTMX = {"HX-Request": "true"}


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
    for anything in ({"Accept": "*/*"}, {}):  # curl, link previews, prefetchers: a page
        with app.test_request_context("/", headers=anything):
            assert not wants_json()


@pytest.mark.parametrize(
    "accept",
    [
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",  # Chromium
        "*/*",
        None,
    ],
)
def test_home_signed_out_sends_browsers_to_sign_in(client, accept):
    response = client.get("/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_home_signed_out_answers_api_clients_with_json(client):
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_every_page_varies_on_hx_request(client, as_role):
    for response in (client.get("/login"), as_role("owner").get("/admin/stations")):
        assert "HX-Request" in response.headers["Vary"]


def _triggers(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])


def _rename_first_station(name: str) -> int:
    station = db.session.scalars(select(Station).order_by(Station.id)).first()
    station.name = name
    db.session.flush()
    return station.id


def _name_of(station_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Station, station_id).name


# -- done ----------------------------------------------------------------------------------


def test_done_htmx_gets_the_fragment_and_exactly_one_toast(app, world):
    with app.test_request_context("/", method="POST", headers=HTMX):
        station_id = _rename_first_station("Renamed")
        seen = []

        def fragment(error):
            seen.append(error)
            return f"<p>{_name_of(station_id)}</p>"

        response = finish_mutation("Saved.", back="/back", fragment=fragment, events=["capacity-changed"])
        assert get_flashed_messages() == []  # HTMX: the toast says it, no flash waits for the next page
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<p>Renamed</p>"  # rendered after the commit
    assert seen == [None]
    assert _triggers(response) == {"toast": {"message": "Saved.", "level": "success"}, "capacity-changed": True}


def test_done_plain_post_gets_303_and_one_flash(app, world):
    with app.test_request_context("/", method="POST"):
        station_id = _rename_first_station("Committed")
        response = finish_mutation("Saved.", back="/back", fragment=lambda error: pytest.fail("no fragment"))
        assert get_flashed_messages(with_categories=True) == [("success", "Saved.")]
    assert response.status_code == 303 and response.location == "/back"
    assert "HX-Trigger" not in response.headers
    with app.app_context():
        assert _name_of(station_id) == "Committed"


def test_done_htmx_without_a_fragment_is_a_full_redirect(app, world):
    with app.test_request_context("/", method="POST", headers=HTMX):
        response = finish_mutation("Deleted.", back="/list", level="info")
        assert get_flashed_messages(with_categories=True) == [("info", "Deleted.")]  # shown on /list
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/list"


# -- refused ------------------------------------------------------------------------------


def test_refused_htmx_gets_the_fragment_with_the_messages_and_422(app, world):
    error = ValidationFailed("Some fields need a correction (Amount: Enter a number above 0.).", fields={"amount": "x"})
    with app.test_request_context("/", method="POST", headers=HTMX):
        station_id = _rename_first_station("Never kept")
        response = finish_mutation(
            error, back="/back", fragment=lambda refusal: f"<p>{refusal.fields['amount']} {_name_of(station_id)}</p>"
        )
        assert get_flashed_messages() == []
    assert response.status_code == 422
    assert response.get_data(as_text=True) != "" and "Never kept" not in response.get_data(as_text=True)
    assert _triggers(response) == {"toast": {"message": error.message, "level": "error"}}  # one toast, no events
    with app.app_context():
        assert _name_of(station_id) != "Never kept"  # rolled back before the fragment was rendered


def test_refused_htmx_without_a_fragment_swaps_nothing(app, world):
    with app.test_request_context("/", method="POST", headers=HTMX):
        response = finish_mutation(Conflict("Already done."), back="/back", events=["capacity-changed"])
    assert response.status_code == 409
    assert response.headers["HX-Reswap"] == "none"
    assert _triggers(response) == {"toast": {"message": "Already done.", "level": "error"}}


def test_refused_plain_post_re_renders_the_form_page_with_422(app, world):
    error = ValidationFailed("Check the form.", fields={"name": "Required."})
    with app.test_request_context("/", method="POST"):
        response = finish_mutation(error, back="/back", page=lambda refusal: f"<form>{refusal.fields['name']}</form>")
        assert get_flashed_messages(with_categories=True) == [("error", "Check the form.")]
    assert response.status_code == 422 and response.get_data(as_text=True) == "<form>Required.</form>"


def test_refused_plain_post_without_a_page_goes_back_with_one_flash(app, world):
    with app.test_request_context("/", method="POST"):
        response = finish_mutation(Conflict("Already done."), back="/back")
        assert get_flashed_messages(with_categories=True) == [("error", "Already done.")]
    assert response.status_code == 303 and response.location == "/back"


def test_the_toast_joins_triggers_already_on_the_fragment(app, world):
    def fragment(error):
        response = make_response("<p>ok</p>")
        response.headers["HX-Trigger"] = "thread-changed, other"  # the plain-names form of the header
        return response

    with app.test_request_context("/", method="POST", headers=HTMX):
        response = finish_mutation("Sent.", back="/", fragment=fragment)
    assert _triggers(response) == {
        "thread-changed": True,
        "other": True,
        "toast": {"message": "Sent.", "level": "success"},
    }

    def json_fragment(error):
        response = make_response("<p>ok</p>")
        response.headers["HX-Trigger"] = json.dumps({"refresh": {"id": 3}})
        return response

    with app.test_request_context("/", method="POST", headers=HTMX):
        response = finish_mutation("Saved.", back="/", fragment=json_fragment)
    assert _triggers(response) == {"refresh": {"id": 3}, "toast": {"message": "Saved.", "level": "success"}}
