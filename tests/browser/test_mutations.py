"""One answer to every change, seen in a browser: a refused form is swapped in with its
messages (422, static/app.js responseHandling) and says so in exactly one toast."""

from __future__ import annotations

import pytest

from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from tests.bookings.conftest import add_chef, booking_request
from tests.browser.conftest import watch
from tests.browser.test_ui import sign_in
from tests.factories import build_world

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def booking(app):
    with app.test_request_context():
        world = build_world()
        chef = add_chef(world.station, "Kenji")
        made = create_booking(world.station, booking_request(), actor=Actor.customer(), source="api")
        db.session.commit()
        return {"manager": world.users["manager"].email, "id": made.id, "chef_id": chef.id}


def _count_htmx_errors(page) -> None:
    page.evaluate(
        "() => { window.__htmx_errors = 0;"
        " document.addEventListener('htmx:responseError', () => { window.__htmx_errors += 1 }) }"
    )


def _script_errors(page_errors: list[str]) -> list[str]:
    # Chromium logs every 4xx as "Failed to load resource": that is the network, not our code.
    return [error for error in page_errors if not error.startswith("Failed to load resource")]


def _toasts_after_the_answer(page) -> list[str]:
    page.wait_for_selector("#toasts .toast")
    page.wait_for_timeout(400)  # a second toast (app.js on an error status) would be there by now
    return page.locator("#toasts .toast").all_inner_texts()


def test_a_refused_payment_swaps_the_panel_with_the_message_and_one_toast(live_server, browser, booking, page_errors):
    page = browser.new_page()
    watch(page, page_errors)
    sign_in(page, live_server, booking["manager"])
    page.goto(f"{live_server}/s/alpha/bookings/{booking['id']}")
    page.evaluate("() => { window.__same_page = true }")
    _count_htmx_errors(page)

    payment = page.locator("#payments-card form").first
    payment.locator("input[name=amount]").fill("a lot")
    payment.get_by_role("button", name="Record payment").click()
    page.wait_for_selector("#booking-panel [role=alert] >> text=Enter an amount in dollars")
    toasts = _toasts_after_the_answer(page)
    assert len(toasts) == 1 and "Enter an amount in dollars" in toasts[0]
    assert page.evaluate("() => window.__same_page === true")  # swapped in place, not reloaded
    assert page.evaluate("() => window.__htmx_errors") == 0  # 422 is an answer to show, not an error
    assert _script_errors(page_errors) == []


def test_a_refused_action_then_a_good_one_each_say_it_once(live_server, browser, booking, page_errors):
    page = browser.new_page()
    watch(page, page_errors)
    sign_in(page, live_server, booking["manager"])
    page.goto(f"{live_server}/s/alpha/bookings/{booking['id']}")
    _count_htmx_errors(page)

    page.locator("input[name=note]").first.fill("   ")  # only spaces: the service refuses it
    page.get_by_role("button", name="Add note").click()
    page.wait_for_selector("#booking-panel [role=alert] >> text=Write something first.")
    assert _toasts_after_the_answer(page) == ["Write something first."]

    page.wait_for_selector("#toasts .toast", state="detached", timeout=6000)
    page.locator("input[name=note]").first.fill("Gate code 1234")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_selector("#booking-panel .timeline >> text=Gate code 1234")
    assert _toasts_after_the_answer(page) == ["Note added."]
    assert page.locator("#booking-panel [role=alert]").count() == 0
    assert page.evaluate("() => window.__htmx_errors") == 0
    assert _script_errors(page_errors) == []
