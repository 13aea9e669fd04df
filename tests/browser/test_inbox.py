"""The inbox in a browser: the draft panel polls until the AI's draft is there; approving updates in place."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.conversation import Draft, Message
from tests.browser.conftest import watch
from tests.browser.test_ui import sign_in
from tests.factories import build_world
from tests.inbox.helpers import ai_draft, inbound

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def generating(app):
    """A conversation whose draft is still being written."""
    with app.app_context():
        world = build_world()
        message = inbound(world.station.id, "Price for 12 guests on Saturday?", contact="browser-tok", name="Rae")
        draft = ai_draft(message, "", status="generating")
        db.session.commit()
        return {
            "manager": world.users["manager"].email,
            "conversation_id": message.conversation_id,
            "draft_id": draft.id,
        }


def test_the_draft_appears_without_a_reload_and_approving_sends_it(app, live_server, browser, generating, page_errors):
    page = browser.new_page()
    watch(page, page_errors)
    sign_in(page, live_server, generating["manager"])
    page.goto(f"{live_server}/s/alpha/inbox/{generating['conversation_id']}")
    page.wait_for_selector("text=the AI is writing a draft")
    page.evaluate("() => { window.__same_page = true }")
    with app.app_context():  # the job finishes while the page is open
        draft = db.session.get(Draft, generating["draft_id"])
        draft.body, draft.status = "Hi Rae! 12 guests come to $660.00. Saturday at 18:00 is open.", "ready"
        db.session.commit()
    page.wait_for_selector("textarea[name=text] >> text=12 guests come to $660.00", timeout=10_000)
    page.fill("textarea[name=text]", "Hi Rae! 12 guests come to $660.00. Saturday at 18:00 is open for you.")
    page.get_by_role("button", name="Approve & send").click()
    page.wait_for_selector(".msg-out >> text=Saturday at 18:00 is open for you.", timeout=10_000)
    assert page.evaluate("() => window.__same_page === true")  # swapped in place, never reloaded
    with app.app_context():
        sent = db.session.scalar(select(Message).where(Message.direction == "out"))
        assert sent.body.endswith("open for you.") and sent.status in ("queued", "sent")
        assert db.session.get(Draft, generating["draft_id"]).edit_distance == len(" for you")
    assert page_errors == []
