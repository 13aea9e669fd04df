"""Each role's dashboard in a real browser: what it shows, that its tiles open, no console errors."""

from __future__ import annotations

import pytest

from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from tests.bookings.conftest import add_chef, booking_request
from tests.browser.conftest import watch
from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def seeded(app):
    """Kenji, the chef user's profile, cooks one coming party."""
    with app.test_request_context():
        world = build_world()
        kenji = add_chef(world.station, "Kenji")
        kenji.user_id = world.users["chef"].id
        booking = create_booking(world.station, booking_request(), actor=Actor.customer(), source="api")
        booking.chef_id = kenji.id
        db.session.commit()
        return {role: user.email for role, user in world.users.items()} | {"address": booking.address}


# role -> (where sign-in lands, tiles that must show, tiles that must not)
EXPECTED = {
    "chef": ("/s/alpha/", set(), {"Events today", "Awaiting deposit", "Balances outstanding ($)", "Jobs queued"}),
    "staff": (
        "/s/alpha/",
        {"Events today", "Awaiting deposit", "Conversations awaiting a reply"},
        {"Revenue this month ($)", "Balances outstanding ($)", "Drafts ready to approve", "Jobs queued"},
    ),
    "manager": (
        "/s/alpha/",
        {"Events today", "Awaiting deposit", "Revenue this month ($)", "Drafts ready to approve"},
        set(),
    ),
    "owner": ("/", set(), set()),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_today_and_next_and_every_tile_opens(live_server, browser, seeded, page_errors, role):
    lands_on, shown, hidden = EXPECTED[role]
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch(page, page_errors)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", seeded[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}{lands_on}")

    if role == "owner":
        # Every station side by side, each row leading to that station's dashboard.
        assert page.locator("tr[data-station]").count() == 2
        assert page.locator('tr[data-station="alpha"] td[data-stat="Awaiting deposit"]').inner_text() == "1"
        page.click('tr[data-station="alpha"] a')
        page.wait_for_url(f"{live_server}/s/alpha/")
        shown = {"Events today", "Revenue this month ($)", "Balances outstanding ($)", "Jobs queued"}

    labels = set(page.locator("article.stat").evaluate_all("els => els.map(e => e.dataset.stat)"))
    assert shown <= labels and not hidden & labels, labels
    agenda = page.locator("section.agenda")
    assert agenda.count() == 1
    assert seeded["address"] in agenda.inner_text()
    if role == "chef":
        assert "$" not in page.locator("main").inner_text()

    # Every tile leads somewhere the role may go.
    hrefs = page.locator("article.stat a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        response = page.goto(f"{live_server}{href}")
        assert response.status == 200, (role, href)
    assert page_errors == []
