"""Conversation figures of the hand-made dataset."""

from __future__ import annotations

import pytest

from app.analytics.queries import conversations
from tests.analytics.conftest import headline_values, rows_by


def test_first_response_per_customer_turn(run, dataset):
    rows = rows_by(run(conversations.response_times), "bucket")
    # January: 30 min (two messages, one turn), 120 min, and 60 min for the web chat
    # message of 23:30 on 31 January in New York (already February in UTC).
    january = rows["2026-01-01"]
    assert (january["turns"], january["answered"]) == (3, 3)
    assert january["p50"] == pytest.approx(60)
    assert january["p90"] == pytest.approx(108)  # percentile_cont: 60 + 0.8 x (120 - 60)
    assert january["within_sla"] == pytest.approx(2 / 3)
    assert january["sla"] == 60
    # February: 10 min, and one turn never answered.
    february = rows["2026-02-01"]
    assert (february["turns"], february["answered"], february["p50"]) == (2, 1, pytest.approx(10))
    assert february["within_sla"] == 0.5


def test_volume_by_channel_and_intent(run, dataset):
    volume = rows_by(run(conversations.volume), "bucket", "channel")
    assert {k: v["messages"] for k, v in volume.items()} == {
        ("2026-01-01", "SMS"): 3, ("2026-01-01", "Web chat"): 1, ("2026-02-01", "Email"): 2,
    }  # fmt: skip
    intents = rows_by(run(conversations.intents), "intent")
    assert {k: (v["messages"], v["escalated"]) for k, v in intents.items()} == {
        "quote request": (2, 0), "booking request": (1, 1), "menu dietary": (1, 0), "availability": (1, 0),
        "unlabelled": (1, 0),
    }  # fmt: skip


def test_ai_draft_acceptance_by_intent_over_time(run, dataset):
    rows = rows_by(run(conversations.drafts), "bucket", "intent")
    assert set(rows) == {("2026-01-01", "quote request"), ("2026-01-01", "booking request"),
                         ("2026-02-01", "menu dietary")}  # the staff-written draft is not AI  # fmt: skip
    menu = rows[("2026-02-01", "menu dietary")]
    assert (menu["decided"], menu["sent"], menu["unchanged"], menu["rejected"]) == (2, 1, 0, 1)
    assert menu["edit_distance"] == 10
    assert rows[("2026-01-01", "quote request")]["acceptance"] == 1.0


def test_headlines(run, dataset):
    values = headline_values(run(conversations.headlines))
    assert values["First response p50"] == (pytest.approx(45), pytest.approx(20))
    assert values["First response p90"][0] == pytest.approx(102)
    assert values["Answered within SLA"] == (pytest.approx(0.6), 1.0)
    assert values["Messages in"] == (6, 1)
    assert values["Escalations"] == (1, 0)
    assert values["AI drafts sent unchanged"] == (pytest.approx(1 / 3), 1.0)


def test_all_stations_pool_turns_for_the_percentiles(run, dataset):
    values = headline_values(run(conversations.headlines, owner=True, scope="all"))
    # Beta adds one turn answered in 5 minutes: 5, 10, 30, 60, 120.
    assert values["First response p50"][0] == pytest.approx(30)
    table = run(conversations.response_times, owner=True, scope="all")
    assert rows_by(table, "bucket", "station")[("2026-01-01", "Beta")]["p50"] == pytest.approx(5)
