"""The slot picker in a browser: paging by week redraws only the picker, a slot is picked
with the keyboard, and the booking lands in that slot; on a 390 px phone nothing overflows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.booking import Booking
from tests.bookings.conftest import add_chef
from tests.browser.conftest import watch
from tests.browser.test_ui import sign_in
from tests.factories import build_world

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def staff(app):
    with app.test_request_context():
        world = build_world()
        add_chef(world.station, "Kenji")
        db.session.commit()
        return world.users["staff"].email


def test_staff_pick_a_slot_next_week_with_the_keyboard_on_a_phone(app, live_server, browser, staff, page_errors):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    watch(page, page_errors)
    sign_in(page, live_server, staff)
    page.goto(f"{live_server}/s/alpha/bookings/new")
    page.evaluate("() => { window.__same_page = true }")
    page.fill("input[name=name]", "Nia Long")
    page.fill("input[name=phone]", "(404) 555-0199")
    page.fill("input[name=email]", "nia@example.com")
    page.fill("input[name=address]", "5 Elm St NW")
    page.fill("input[name=zip_code]", "30303")

    page.get_by_role("button", name="Later days").click()
    page.wait_for_selector("button[aria-label='Earlier days']")
    # Next week's first day opens with its slots; the earliest is reached with Tab, the next with an arrow key.
    first_open = page.locator(".slot-picker input[type=radio]:not([disabled])").first
    first_open.focus()
    page.keyboard.press("ArrowDown")
    picked = page.locator(".slot-picker input[type=radio]:checked").get_attribute("value")
    assert picked and picked != first_open.get_attribute("value")
    assert page.evaluate("() => window.__same_page === true")  # only the picker was redrawn
    # Nothing inside the picker sticks out of it (the staff form around it is the layout's business).
    fits = "() => { const p = document.querySelector('.slot-picker'); return p.scrollWidth <= p.clientWidth }"
    assert page.evaluate(fits)

    page.get_by_role("button", name="Create booking").click()
    page.wait_for_url(f"{live_server}/s/alpha/bookings/*")
    with app.app_context():
        booking = db.session.scalar(select(Booking))
    day, _, slot = picked.partition("|")
    assert (booking.event_date.isoformat(), booking.slot_time) == (day, slot)
    assert booking.event_date >= date.today() + timedelta(days=6)
    assert [e for e in page_errors if not e.startswith("Failed to load resource")] == []
