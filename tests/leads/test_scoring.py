"""The lead score: a pure function of the lead's facts, with its reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.leads.scoring import LeadFacts, score, source_kind, temperature_for

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
TODAY = date(2027, 3, 1)


def _score(**fields):
    facts = LeadFacts(**{"source": "contact_form", "created_at": NOW, **fields})
    return score(facts, today=TODAY, now=NOW, sla_minutes=60)


def _points(result, prefix: str) -> int:
    return next(reason["points"] for reason in result.reasons if reason["label"].startswith(prefix))


@pytest.mark.parametrize(
    ("source", "attribution", "qr_code_id", "points"),
    [
        ("quote_request", {}, None, 30),
        ("contact_form", {"utm_medium": "referral"}, None, 30),
        ("contact_form", {}, 7, 30),
        ("contact_form", {"qr_code": "FLYER1"}, None, 30),
        ("webchat", {}, None, 20),
        ("contact_form", {}, None, 10),
        ("carrier_pigeon", {}, None, 5),
    ],
)
def test_source_points(source, attribution, qr_code_id, points):
    result = _score(source=source, attribution=attribution, qr_code_id=qr_code_id)
    assert result.reasons[0]["points"] == points


def test_referral_and_qr_outrank_the_form_they_came_through():
    assert source_kind("contact_form", {"utm_source": "Referral"}, None) == "referral"
    assert source_kind("quote_request", {}, 3) == "qr"
    assert source_kind("sms", {}, None) == "sms"


@pytest.mark.parametrize(
    ("fields", "points"),
    [
        ({}, 0),
        ({"email": "a@example.com"}, 5),
        ({"email": "a@example.com", "phone": "+14045550100"}, 10),
        (
            {
                "email": "a@example.com",
                "phone": "+14045550100",
                "event_date": TODAY + timedelta(days=200),
                "guests": 5,
                "zip_code": "30303",
            },
            25,
        ),
    ],
)
def test_completeness(fields, points):
    assert _points(_score(**fields), "Details") == points


@pytest.mark.parametrize(
    ("days", "points", "label"),
    [
        (-1, 0, "Event date has passed"),
        (0, 20, "Event in 0 days"),
        (30, 20, "Event in 30 days"),
        (31, 12, "Event in 31 days"),
        (90, 12, "Event in 90 days"),
        (91, 5, "Event in 91 days"),
        (None, 0, "No event date yet"),
    ],
)
def test_event_date_proximity(days, points, label):
    event_date = None if days is None else TODAY + timedelta(days=days)
    reason = _score(event_date=event_date).reasons[2]
    assert (reason["points"], reason["label"]) == (points, label)


@pytest.mark.parametrize(("guests", "points"), [(None, 0), (4, 4), (10, 8), (15, 12), (29, 12), (30, 15), (200, 15)])
def test_party_size(guests, points):
    assert _score(guests=guests).reasons[3]["points"] == points


@pytest.mark.parametrize(
    ("created_minutes_ago", "answered_after", "points", "label"),
    [
        (30, None, 0, "Awaiting first response"),
        (120, None, 0, "No response within 60 min"),
        (120, 45, 10, "Answered within 60 min"),
        (120, 60, 10, "Answered within 60 min"),
        (120, 61, 3, "Answered after the 60 min target"),
    ],
)
def test_response_speed(created_minutes_ago, answered_after, points, label):
    created = NOW - timedelta(minutes=created_minutes_ago)
    answered = None if answered_after is None else created + timedelta(minutes=answered_after)
    reason = _score(created_at=created, first_response_at=answered).reasons[4]
    assert (reason["points"], reason["label"]) == (points, label)


def test_a_complete_near_referral_is_hot_and_a_bare_contact_form_cold():
    hot = _score(
        source="quote_request",
        email="a@example.com",
        phone="+14045550100",
        event_date=TODAY + timedelta(days=14),
        guests=20,
        zip_code="30303",
        first_response_at=NOW + timedelta(minutes=5),
    )
    assert (hot.points, hot.temperature) == (30 + 25 + 20 + 12 + 10, "hot")
    cold = _score(email="a@example.com")
    assert (cold.points, cold.temperature) == (15, "cold")
    assert all(set(reason) == {"label", "points"} for reason in hot.reasons)


@pytest.mark.parametrize(
    ("points", "temperature"), [(0, "cold"), (39, "cold"), (40, "warm"), (69, "warm"), (70, "hot")]
)
def test_temperature_thresholds(points, temperature):
    assert temperature_for(points) == temperature


def test_the_score_never_leaves_0_to_100():
    best = _score(
        source="qr",
        email="a",
        phone="b",
        event_date=TODAY,
        guests=500,
        zip_code="c",
        first_response_at=NOW,
    )
    assert 0 <= best.points <= 100
