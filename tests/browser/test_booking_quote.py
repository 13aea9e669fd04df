"""The new-booking quote in a browser: it fits beside the form on a laptop, and on a phone
the price stays on screen while the guests are typed in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import watch
from tests.browser.test_ui import seeded, sign_in  # noqa: F401

pytestmark = [pytest.mark.committing, pytest.mark.browser]

FAR_ZIP = "30601"  # Athens, GA: beyond the 30 free miles from alpha's 30313


def test_the_quote_fits_beside_the_form_on_a_laptop(live_server, browser, seeded, page_errors):  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch(page, page_errors)
    sign_in(page, live_server, seeded["staff"])
    page.goto(f"{live_server}/s/alpha/bookings/new")
    page.fill("input[name=zip_code]", FAR_ZIP)
    page.locator("input[name=zip_code]").dispatch_event("change")
    travel = page.locator("#live-quote td", has_text="Travel:")
    travel.wait_for()
    assert "×" not in travel.inner_text()  # the miles are said once
    aside = page.locator(".quote-aside").bounding_box()
    for cell in page.locator("#live-quote td, #live-quote th").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= aside["x"] + aside["width"] + 1, cell.inner_text()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 1366
    assert page_errors == []


def test_on_a_phone_the_price_stays_in_view_while_typing(live_server, browser, seeded, page_errors):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    watch(page, page_errors)
    sign_in(page, live_server, seeded["staff"])
    page.goto(f"{live_server}/s/alpha/bookings/new")
    page.locator("#live-quote tfoot th", has_text="$550.00").wait_for()  # the total (the lines fold away)
    adults = page.locator("input[name=adults]")
    adults.scroll_into_view_if_needed()
    adults.fill("12")
    adults.dispatch_event("change")
    total = page.locator("#live-quote tfoot th", has_text="$660.00")
    total.wait_for()
    box = total.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844  # on screen, beside the field being typed
    field = adults.bounding_box()
    assert field["y"] + field["height"] <= box["y"]  # and not covering it
    assert page_errors == []
