"""Grounding: the drafts' quote, availability, knowledge and examples come from the station's own services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from flask import current_app

from app.ai.drafting import DraftUnavailable, ThreadLine, compose
from app.ai.drafting.knowledge import rank
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from app.models.chef import Blackout
from app.models.conversation import KnowledgeEntry
from app.models.station import Station
from app.pricing import quote_for_station
from tests.ai.drafting.conftest import approved_reply, future_day, request_for
from tests.bookings.conftest import add_chef, booking_request


def test_the_quoted_total_is_the_pricing_services_total(alpha):
    result = compose(request_for(alpha, "10 adults and 4 kids in 30303, how much?", channel="webchat"))
    expected = quote_for_station(alpha, {"adults": 10, "children": 4}, to_zip="30303", config=current_app.config)
    quote = result.grounding["quote"]
    assert quote["total_cents"] == expected.total_cents and quote["travel_cents"] == expected.travel_cents
    assert quote["deposit_cents"] == expected.deposit_cents
    assert quote["display"]["total"] in result.body
    assert result.grounding["tools"][0]["name"] == "get_quote"
    assert result.grounding["facts"]["zip_code"] == "30303"


def test_a_far_party_pays_travel_and_the_draft_says_how_much(alpha):
    result = compose(request_for(alpha, "quote for 20 people, our zip is 30601", channel="webchat"))
    expected = quote_for_station(alpha, {"adults": 20}, to_zip="30601", config=current_app.config)
    assert expected.travel_cents > 0
    assert result.grounding["quote"]["total_cents"] == expected.total_cents
    assert f"including {result.grounding['quote']['display']['travel']} for travel" in result.body


def test_a_minimum_is_shown_the_way_pricing_returns_it(alpha):
    quote = compose(request_for(alpha, "4 people?")).grounding["quote"]
    assert quote["minimum_applied"] is True
    assert quote["minimum_label"] == "Raised to the party minimum of $550.00"
    assert quote["total_cents"] == 55000


def test_an_open_date_lists_its_slots(alpha):
    day = future_day(20)
    result = compose(request_for(alpha, f"Are you free {day.isoformat()}?", intent="availability", channel="webchat"))
    seen = result.grounding["availability"]
    assert seen["status"] == "open" and seen["open_slots"] == ["12:00", "15:00", "18:00", "21:00"]
    assert "12:00 PM, 3:00 PM, 6:00 PM or 9:00 PM" in result.body


def test_a_full_date_says_so(app, world):
    with app.test_request_context():
        station = db.session.merge(world.station)
        add_chef(station, "Evenings only", starts=time(17, 0), ends=time(20, 45))  # works the 18:00 slot only
        day = future_day(20)
        create_booking(
            station, booking_request(event_date=day.isoformat(), slot="18:00"), actor=Actor.customer(), source="api"
        )
        db.session.commit()
        text = f"Do you have {day:%B} {day.day} for 10 people?"
        result = compose(request_for(station, text, intent="availability", channel="sms"))
        assert result.grounding["availability"]["status"] == "full"
        assert result.grounding["availability"]["open_slots"] == []
        assert "is fully booked" in result.body


@pytest.mark.parametrize(
    ("days_ahead", "status", "words"),
    [(1, "too_soon", "too soon for us to book; we need 48 hours' notice"), (400, "outside_horizon", "365 days ahead")],
)
def test_dates_outside_the_booking_window(alpha, days_ahead, status, words):
    day = future_day(days_ahead)
    result = compose(request_for(alpha, f"Is {day.isoformat()} free?", intent="availability", channel="webchat"))
    assert result.grounding["availability"]["status"] == status
    assert words in result.body


def test_a_blacked_out_date(alpha):
    day = future_day(30)
    db.session.add(Blackout(station_id=alpha.id, day=day, reason="holiday"))
    db.session.commit()
    result = compose(request_for(alpha, f"{day.isoformat()} for 12?", intent="availability", channel="webchat"))
    assert result.grounding["availability"]["status"] == "blacked_out"
    assert "We're closed on" in result.body


def test_relative_dates_are_read_on_the_stations_local_day(alpha):
    # 03:00 UTC on Nov 26 is still the evening of Nov 25 in New York: "tomorrow" is the 26th.
    with time_machine.travel(datetime(2026, 11, 26, 3, 0, tzinfo=UTC), tick=False):
        result = compose(request_for(alpha, "are you free tomorrow?", intent="availability"))
    assert result.grounding["facts"]["event_date"] == "2026-11-26"
    assert result.grounding["availability"]["status"] == "too_soon"


def test_facts_missing_from_the_message_come_from_the_customers_earlier_messages(alpha):
    day = future_day(20)
    earlier = datetime.now(UTC) - timedelta(hours=1)
    thread = (
        ThreadLine("in", f"Hi! Party of 12 on {day.isoformat()}", earlier),
        ThreadLine("out", "Thanks! Which ZIP code? Our minimum is $550.00 for 10 guests.", earlier),
        ThreadLine("in", "30303", datetime.now(UTC)),
    )
    result = compose(request_for(alpha, "30303", thread=thread, channel="webchat"))
    facts = result.grounding["facts"]
    assert (facts["guests"], facts["event_date"], facts["zip_code"]) == (12, day.isoformat(), "30303")
    assert result.grounding["quote"]["guests"] == 12  # not 10: our own reply is not the customer's word


def test_an_unknown_station_cannot_be_drafted_for(alpha):
    with pytest.raises(DraftUnavailable):
        compose(request_for(Station(id=987654, name="Ghost"), "hello"))


FAQ = [
    ("Do you bring the grill?", "Yes: the chef brings the grill, propane, utensils and cooking oil."),
    ("How much space do you need?", "We need a flat outdoor area about 8 by 10 feet for the grill."),
    ("Do you cook in the rain?", "We can cook under a covered patio or tent; we never cook indoors."),
    ("Is gratuity included?", "Gratuity is not included; it is appreciated but never required."),
]


def _knowledge_base(station) -> list[KnowledgeEntry]:
    entries = [KnowledgeEntry(station_id=station.id, question=q, answer=a) for q, a in FAQ]
    entries.append(
        KnowledgeEntry(station_id=station.id, question="Space needed?", answer="Old answer", is_active=False)
    )
    db.session.add_all(entries)
    db.session.commit()
    return entries


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("how much space does the chef need for the grill", 1),
        ("what if it rains on the day of the party?", 2),
        ("do we need to tip the chef, is gratuity included", 3),
        ("¿ustedes traen la parrilla? do you bring the grill", 0),
    ],
)
def test_knowledge_retrieval_picks_the_right_entry(alpha, query, best):
    entries = _knowledge_base(alpha)
    hits = rank([e for e in entries if e.is_active], query)
    assert hits[0].id == entries[best].id and hits[0].score > 0


def test_the_best_knowledge_answer_is_woven_into_the_draft(alpha):
    entries = _knowledge_base(alpha)
    text = "How much space do you need for the grill?"
    result = compose(request_for(alpha, text, intent="general_faq", channel="webchat"))
    assert result.grounding["knowledge"][0] == entries[1].id
    answer = next(a for a in result.grounding["answers"] if a["topic"] == "setup")
    assert answer["knowledge_id"] == entries[1].id
    assert "about 8 by 10 feet" in result.body
    assert entries[4].id not in result.grounding["knowledge"]  # inactive entries are never offered


def test_ways_to_pay_come_from_the_settings_not_a_loosely_related_entry(alpha):
    _knowledge_base(alpha)
    result = compose(request_for(alpha, "Can I pay the balance by card?", intent="payment", channel="webchat"))
    assert "we accept cash, Venmo, Zelle and check" in result.body
    assert "Yes, by card" not in result.body


def test_a_question_nobody_answered_is_left_to_a_manager(alpha):
    result = compose(request_for(alpha, "what if it rains?", intent="general_faq", channel="webchat"))
    assert result.body == "Hi Ana! A manager will confirm what we do if it rains for you."


def test_approved_replies_of_this_station_and_intent_are_the_examples_but_never_pasted(app, world, alpha):
    ours = approved_reply(
        alpha,
        "Do you bring plates and chopsticks?",
        "We bring the grill and the food; plates and chopsticks are on you. Thanks Maria!",
        intent="general_faq",
        contact="+15550000001",
        name="Maria Lopez",
    )
    own_words = approved_reply(
        alpha,
        "Do you bring plates and chopsticks for everyone?",
        "Hi! Plates, napkins and chopsticks come with every party.",
        intent="general_faq",
        contact="+15550000002",
    )
    other_intent = approved_reply(
        alpha, "Do you bring plates and chopsticks?", "MENU WORDING", intent="menu_dietary", contact="+15550000003"
    )
    beta = db.session.get(Station, world.other.id)
    theirs = approved_reply(
        beta,
        "Do you bring plates and chopsticks?",
        "BETA WORDING: plates are extra.",
        intent="general_faq",
        contact="+15550000004",
    )
    db.session.commit()
    result = compose(request_for(alpha, "Do you bring plates and chopsticks?", intent="general_faq", channel="webchat"))
    assert set(result.grounding["examples"]) == {ours.id, own_words.id}
    assert other_intent.id not in result.grounding["examples"] and theirs.id not in result.grounding["examples"]
    # Another customer's reply (and its promises) is never sent as this one's.
    assert "Maria" not in result.body and "BETA" not in result.body and "MENU" not in result.body
    assert "come with every party" not in result.body


def test_an_example_with_numbers_the_grounding_lacks_is_not_reused(alpha):
    approved_reply(
        alpha,
        "Can I pay the deposit by card?",
        "Yes! The $75 deposit can be paid by card.",
        intent="payment",
        contact="+15550000005",
    )
    db.session.commit()
    result = compose(request_for(alpha, "Can I pay the deposit by card?", intent="payment", channel="sms"))
    assert "$75" not in result.body
    assert "$100.00" in result.body  # the station's real deposit, from its settings


def test_party_replies_are_written_fresh_even_with_a_close_example(alpha):
    approved_reply(alpha, "How much for 12 people?", "Great news, we can do it!", intent="quote_request", contact="+1")
    db.session.commit()
    result = compose(request_for(alpha, "How much for 12 people?", channel="sms"))
    assert result.grounding["examples"] and "Great news" not in result.body
    assert "$660.00" in result.body


def test_dates_in_the_past_are_not_offered(alpha):
    result = compose(request_for(alpha, "what about 2020-01-04?", intent="availability", channel="webchat"))
    assert result.grounding["availability"]["status"] == "too_soon"
    assert date(2020, 1, 4).isoformat() == result.grounding["facts"]["event_date"]


def test_replies_about_paying_and_tipping_follow_the_stations_settings(alpha):
    alpha.settings_overrides = {"payment_methods": ["Cash", "Cash App"], "gratuity_percent": 20}
    db.session.commit()
    paying = compose(request_for(alpha, "do you take venmo?", intent="payment", channel="sms")).body
    assert paying == "For the deposit and balance we accept cash and Cash App."
    tipping = compose(request_for(alpha, "la propina va incluida?", intent="general_faq", language="es", channel="sms"))
    assert "20%" in tipping.body and tipping.grounding.get("held") is None
