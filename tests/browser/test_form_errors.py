"""A refused booking form in a real browser: friendly words beside each input, what was typed kept."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.bookings.conftest import add_chef
from tests.browser.conftest import watch
from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def staff_email(app):
    with app.test_request_context():
        world = build_world()
        add_chef(world.station, "Kenji")
        db.session.commit()
        return world.users["staff"].email


def test_the_booking_form_says_what_to_fix_in_plain_words(live_server, browser, staff_email, page_errors):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch(page, page_errors)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", staff_email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/s/alpha/")

    page.goto(f"{live_server}/s/alpha/bookings/new")
    page.fill("input[name=name]", "Grace Hopper")
    page.fill("input[name=adults]", "0")
    page.fill("input[name=children]", "-2")
    page.locator("#booking-form button[type=submit]").last.click()
    page.wait_for_selector("input[name=adults][aria-invalid=true]")

    adults = page.locator("label", has=page.locator("input[name=adults]"))
    assert "Count at least 1 adult (13 and older)." in adults.inner_text()
    children = page.locator("label", has=page.locator("input[name=children]"))
    assert "Enter 0 or more children." in children.inner_text()
    assert page.locator("input[name=name]").input_value() == "Grace Hopper"  # what was typed stays
    body = page.locator("body").inner_text()
    assert "Input should" not in body and "greater_than" not in body
    # The refused form comes back with status 422 by design, which Chromium reports on the
    # console as a failed load; anything else (a script error, a CSP violation) fails the test.
    assert [error for error in page_errors if "status of 422" not in error] == []
