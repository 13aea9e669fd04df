"""The leads board in a browser: drag a card to another stage, or move it with the keyboard;
dropping on "Won" opens the booking form pre-filled from the lead."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.models.lead import Lead
from tests.browser.conftest import watch
from tests.browser.test_ui import sign_in
from tests.factories import build_world
from tests.leads.factories import make_lead

pytestmark = [pytest.mark.committing, pytest.mark.browser]

EVENT_DAY = date.today() + timedelta(days=40)


@pytest.fixture
def board(app):
    with app.test_request_context():
        world = build_world()
        rae = make_lead(
            world.station.id,
            name="Rae Dragged",
            guests=14,
            zip_code="30303",
            event_date=EVENT_DAY,
            message="Birthday in the garden",
        )
        kim = make_lead(world.station.id, name="Kim Keyboard", guests=8)
        db.session.commit()
        return {"staff": world.users["staff"].email, "rae": rae.id, "kim": kim.id}


def _stage(app, lead_id: int) -> str:
    with app.app_context():
        return db.session.get(Lead, lead_id).stage


def test_a_card_dragged_to_another_stage_moves_there(app, live_server, browser, board, page_errors):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch(page, page_errors)
    sign_in(page, live_server, board["staff"])
    page.goto(f"{live_server}/s/alpha/leads/")
    card = page.locator(f".lead-card[data-lead='{board['rae']}']")
    card.drag_to(page.locator("section[data-drop-stage=contacted]"))
    page.wait_for_selector(f"section[data-drop-stage=contacted] .lead-card[data-lead='{board['rae']}']")
    assert _stage(app, board["rae"]) == "contacted"

    # The keyboard way: the card's Move form (a select and a button), no mouse.
    page.locator(f".lead-card[data-lead='{board['kim']}'] summary").focus()
    page.keyboard.press("Enter")
    form = page.locator(f".lead-card[data-lead='{board['kim']}'] form")
    form.locator("select[name=stage]").select_option("quoted")
    form.get_by_role("button", name="Move").press("Enter")
    page.wait_for_selector(f"section[data-drop-stage=quoted] .lead-card[data-lead='{board['kim']}']")
    assert _stage(app, board["kim"]) == "quoted"
    assert page_errors == []


def test_dropping_on_won_opens_the_booking_form_filled_from_the_lead(app, live_server, browser, board, page_errors):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch(page, page_errors)
    sign_in(page, live_server, board["staff"])
    page.goto(f"{live_server}/s/alpha/leads/")
    page.locator(f".lead-card[data-lead='{board['rae']}']").drag_to(page.locator("section[data-drop-stage=won]"))
    page.wait_for_url("**/bookings/new?**")
    assert parse_qs(urlsplit(page.url).query)["lead_id"] == [str(board["rae"])]
    assert page.input_value("input[name=name]") == "Rae Dragged"
    assert page.input_value("input[name=adults]") == "14"
    assert page.input_value("input[name=zip_code]") == "30303"
    # The slot picker opens on the lead's date.
    assert page.inner_text(".slot-picker-range").startswith(EVENT_DAY.strftime("%a %d %b"))
    assert "Birthday in the garden" in page.input_value("textarea[name=notes]")
    assert _stage(app, board["rae"]) == "new"  # won only once the booking is made
    assert page_errors == []
