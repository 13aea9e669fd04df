"""The inbox on a laptop: list and conversation side by side, a marker for drafts to approve,
the waiting badge gone once the reply is sent; on a phone a conversation opens as its own page."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser.conftest import watch
from tests.browser.test_ui import sign_in
from tests.conversations.helpers import ai_draft, inbound
from tests.factories import build_world

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def waiting(app):
    with app.app_context():
        world = build_world()
        message = inbound(world.station.id, "Do you have Saturday the 9th for 12?", contact="split-tok", name="Rae")
        ai_draft(message, "Hi Rae! Saturday the 9th at 18:00 is open for 12 guests.")
        quiet = inbound(world.station.id, "Thanks, all good!", contact="quiet-tok", name="Quinn")
        db.session.commit()
        return {
            "manager": world.users["manager"].email,
            "conversation_id": message.conversation_id,
            "quiet_id": quiet.conversation_id,
        }


def test_a_conversation_opens_beside_the_list_and_answering_clears_its_badges(
    live_server, browser, waiting, page_errors
):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch(page, page_errors)
    sign_in(page, live_server, waiting["manager"])
    page.goto(f"{live_server}/s/alpha/inbox/")
    row = page.locator(f"a[href$='/inbox/{waiting['conversation_id']}']")
    assert row.locator(".inbox-draft-waiting").is_visible()  # a draft waits for approval
    quiet = page.locator(f"a[href$='/inbox/{waiting['quiet_id']}']")
    assert quiet.locator(".inbox-draft-waiting").count() == 0
    page.evaluate("() => { window.__same_page = true }")

    row.click()
    pane = page.locator("#inbox-pane")
    pane.locator("text=Do you have Saturday the 9th for 12?").wait_for()
    assert page.url.endswith(f"/s/alpha/inbox/{waiting['conversation_id']}")  # the URL follows
    assert page.locator("#inbox-list").is_visible()  # the list stays beside it
    box_list, box_pane = page.locator("#inbox-list").bounding_box(), pane.bounding_box()
    assert box_list["x"] + box_list["width"] <= box_pane["x"]  # side by side
    assert pane.locator("#waiting-badge .badge").is_visible()

    pane.get_by_role("button", name="Approve & send").click()
    pane.locator(".msg-out >> text=Saturday the 9th at 18:00 is open").wait_for(timeout=10_000)
    pane.locator("#waiting-badge .badge").wait_for(state="detached", timeout=10_000)  # answered: waits no more
    row.locator(".inbox-draft-waiting").wait_for(state="detached", timeout=10_000)  # the list follows
    assert page.evaluate("() => window.__same_page === true")  # never reloaded
    assert page_errors == []


def test_on_a_phone_a_conversation_opens_as_its_own_page(live_server, browser, waiting, page_errors):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    watch(page, page_errors)
    sign_in(page, live_server, waiting["manager"])
    page.goto(f"{live_server}/s/alpha/inbox/")
    assert not page.locator("#inbox-pane").is_visible()
    page.locator(f"a[href$='/inbox/{waiting['conversation_id']}']").click()
    page.wait_for_url(f"**/s/alpha/inbox/{waiting['conversation_id']}")
    page.locator("text=Do you have Saturday the 9th for 12?").wait_for()
    assert page.locator("#inbox-list").count() == 0  # the conversation's own page
    assert page_errors == []
