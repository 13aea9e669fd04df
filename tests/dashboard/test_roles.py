"""The dashboard per role: "today and next", only the tiles the role can open, no money for chefs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models.conversation import Conversation, Draft
from tests.chefs.factories import ChefFactory
from tests.customers.factories import BookingFactory, CustomerFactory
from tests.dashboard.test_dashboard import stat

MONEY = ("Revenue this month ($)", "Balances outstanding ($)")


def tiles(html: str) -> set[str]:
    return set(re.findall(r'data-stat="([^"]+)"', html))


@pytest.fixture
def events(world, seed):
    """Kenji (the chef user's profile) cooks two coming parties; Hana one; one is far off."""
    with seed():
        kenji = ChefFactory(station_id=world.station.id, name="Kenji", user_id=world.users["chef"].id)
        hana = ChefFactory(station_id=world.station.id, name="Hana")
        customer = CustomerFactory(station_id=world.station.id, name="Ava Nguyen")
        other = CustomerFactory(station_id=world.station.id, name="Liam Patel")
        today = date.today()
        BookingFactory(customer=customer, chef_id=kenji.id, event_date=today + timedelta(days=2), address="12 Oak Ave")
        BookingFactory(customer=customer, chef_id=kenji.id, event_date=today + timedelta(days=5), adults=20)
        BookingFactory(customer=other, chef_id=hana.id, event_date=today + timedelta(days=3), address="9 Pine Ln")
        BookingFactory(customer=other, chef_id=kenji.id, event_date=today + timedelta(days=40))
        BookingFactory(customer=other, status="pending_deposit", paid_cents=0, event_date=today + timedelta(days=6))
    return kenji


def test_a_chef_sees_their_own_events_with_address_and_guests_and_no_tiles(as_role, events):
    html = as_role("chef").get("/s/alpha/").get_data(as_text=True)

    assert tiles(html) == set()  # every number leads to pages a chef cannot open
    assert "$" not in html and "Revenue" not in html and "Balances" not in html
    assert 'data-agenda="Your events"' in html
    assert "12 Oak Ave, 30309" in html and "13 guests" in html and "23 guests" in html
    assert "9 Pine Ln" not in html  # Hana's party
    assert html.count('class="agenda-entry"') == 2  # the one in 40 days is beyond the two weeks
    assert "/s/alpha/chefs/events/" in html  # each entry opens its event sheet


def test_a_chef_without_a_chef_profile_gets_an_empty_list(as_role, world):
    html = as_role("chef").get("/s/alpha/").get_data(as_text=True)
    assert 'data-agenda="Your events"' in html
    assert "No events in the next two weeks." in html


def test_staff_see_events_messages_and_deposits_but_no_money_or_drafts(as_role, events):
    html = as_role("staff").get("/s/alpha/").get_data(as_text=True)

    shown = tiles(html)
    assert {"Events today", "Awaiting deposit", "Conversations awaiting a reply"} <= shown
    assert stat(html, "Awaiting deposit") == "1"
    assert not shown & set(MONEY)
    assert "Drafts ready to approve" not in shown  # staff may edit drafts, not send them
    assert not shown & {"Team members", "Changes logged today", "Jobs queued", "Outbox waiting"}
    assert 'data-agenda="Today and next"' in html
    assert "9 Pine Ln" in html and "Chef Hana" in html  # the whole station's parties


def test_a_manager_also_sees_revenue_and_drafts_to_approve(as_role, events, world, seed):
    with seed():
        conversation = Conversation(station_id=world.station.id, channel="sms", contact="+14045550111")
        db.session.add(conversation)
        db.session.flush()
        db.session.add(Draft(station_id=world.station.id, conversation_id=conversation.id, status="ready", body="Hi"))
    html = as_role("manager").get("/s/alpha/").get_data(as_text=True)

    shown = tiles(html)
    assert set(MONEY) <= shown
    assert {"Drafts ready to approve", "Team members", "Jobs queued"} <= shown
    assert stat(html, "Drafts ready to approve") == "1"
    # Five coming parties of $610.00: four paid $100 (510 due each), one paid nothing.
    assert stat(html, "Balances outstanding ($)") == "2,650"
    assert 'href="/s/alpha/analytics/revenue"' in html


def test_every_shown_tile_opens_for_its_role(as_role, events):
    for role in ("chef", "staff", "manager", "owner"):
        client = as_role(role)
        html = client.get("/s/alpha/").get_data(as_text=True)
        for href in re.findall(r'<article class="stat[^"]*" data-stat="[^"]+">\s*<a href="([^"]+)"', html):
            assert client.get(href.replace("&amp;", "&")).status_code == 200, (role, href)


def test_the_owner_sees_every_station_side_by_side(as_role, events, world):
    html = as_role("owner").get("/").get_data(as_text=True)

    assert "All stations" in html
    alpha = re.search(r'<tr data-station="alpha">(.*?)</tr>', html, re.DOTALL).group(1)
    beta = re.search(r'<tr data-station="beta">(.*?)</tr>', html, re.DOTALL).group(1)
    assert re.search(r'data-stat="Awaiting deposit">1<', alpha)
    assert re.search(r'data-stat="Awaiting deposit">0<', beta)
    assert 'data-stat="Revenue this month ($)"' in alpha
    assert 'href="/s/beta/"' in html


def test_a_single_station_user_goes_straight_to_their_dashboard(as_role, world):
    response = as_role("staff").get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/s/alpha/")
