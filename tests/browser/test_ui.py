"""What only a browser shows: HTMX updates, the live quote, CSP cleanliness, the phone menu."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

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
    with app.test_request_context():
        world = build_world()
        add_chef(world.station, "Kenji")
        create_booking(world.station, booking_request(), actor=Actor.customer(), source="api")
        db.session.commit()
        return {role: user.email for role, user in world.users.items()}


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/s/alpha/")


def test_search_updates_the_list_in_place_and_pushes_the_url(live_server, browser, seeded, page_errors):
    page = browser.new_page()
    watch(page, page_errors)
    sign_in(page, live_server, seeded["manager"])
    page.goto(f"{live_server}/s/alpha/bookings/")
    page.wait_for_load_state("networkidle")
    marker = page.evaluate("() => { window.__same_page = true; return true }")
    assert marker
    page.fill("input[name=q]", "no such customer")
    page.wait_for_selector("text=No bookings match")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["no such customer"]
    assert page.evaluate("() => window.__same_page === true")  # swapped, not reloaded
    page.fill("input[name=q]", "ada")
    page.wait_for_selector("text=Ada Lovelace")
    assert page_errors == []


def test_live_quote_follows_the_form(live_server, browser, seeded, page_errors):
    page = browser.new_page()
    watch(page, page_errors)
    sign_in(page, live_server, seeded["staff"])
    page.goto(f"{live_server}/s/alpha/bookings/new")
    page.wait_for_selector("#live-quote >> text=$550.00")  # 10 adults: raised to the minimum
    page.fill("input[name=adults]", "12")
    page.fill("input[name=children]", "2")
    page.locator("input[name=children]").dispatch_event("change")
    page.wait_for_selector("#live-quote >> text=$720.00")  # 12 x $55 + 2 x $30
    assert page_errors == []


def test_phone_layout_opens_the_menu(live_server, browser, seeded, page_errors):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    watch(page, page_errors)
    sign_in(page, live_server, seeded["manager"])
    nav = page.locator("#sidenav")
    assert not nav.is_visible()
    page.click("[data-nav-toggle]")
    assert nav.is_visible()
    nav.get_by_role("link", name="Bookings").click()
    page.wait_for_url(f"{live_server}/s/alpha/bookings/")
    assert page_errors == []
