"""The customer's manage page on a phone (390 x 844): move the party with the slot picker
(keyboard), change the guests, see the refund before cancelling; nothing wider than the screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.booking import Booking
from tests.bookings.conftest import add_chef
from tests.browser.conftest import watch
from tests.factories import build_world
from tests.selfservice.conftest import make_party

pytestmark = [pytest.mark.committing, pytest.mark.browser]

OVERFLOW = (
    "() => [...document.querySelectorAll('main *')]"
    ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)"
)


@pytest.fixture
def token(app):
    with app.test_request_context():
        world = build_world()
        add_chef(world.station, "Kenji")
        add_chef(world.station, "Hana")
        party = make_party(world.station)
        db.session.commit()
        return party.token


def test_a_customer_moves_the_party_and_changes_guests_on_a_phone(app, live_server, browser, token, page_errors):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    watch(page, page_errors)
    page.goto(f"{live_server}/b/{token}")
    assert page.evaluate(OVERFLOW) == []

    page.get_by_role("button", name="Later days").click()
    page.wait_for_selector(".slot-picker button[aria-label='Earlier days']")
    first_open = page.locator(".slot-picker input[type=radio]:not([disabled])").first
    first_open.focus()
    page.keyboard.press("ArrowRight")
    picked = page.locator(".slot-picker input[type=radio]:checked").get_attribute("value")
    assert page.evaluate(OVERFLOW) == []
    page.get_by_role("button", name="Move my party").click()
    page.wait_for_selector(".flash >> text=Your party is moved")
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert f"{booking.event_date.isoformat()}|{booking.slot_time}" == picked
    assert page.locator("[data-rule=free_reschedules_used]").count() == 1  # the one free move is used

    page.fill("input[name=adults]", "14")
    page.get_by_role("button", name="Update guests").click()
    page.wait_for_selector(".flash >> text=Guests updated: 16")

    page.get_by_text("Cancel my party…").click()
    page.wait_for_selector("text=will be refunded")
    page.get_by_role("button", name="Yes, cancel my party").click()
    page.wait_for_selector(".flash >> text=Your booking is cancelled")
    with app.app_context():
        assert db.session.scalar(select(Booking)).status == "cancelled"
    assert page.evaluate(OVERFLOW) == []
    assert [e for e in page_errors if not e.startswith("Failed to load resource")] == []
