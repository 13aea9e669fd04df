"""The taxonomy (docs/design.md), the Classification record, and the labelled datasets."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.ai import offline
from app.ai.features import normalize
from app.ai.labels import (
    CHANNELS,
    EMOTIONS,
    ESCALATION_REASONS,
    INTENTS,
    Classification,
    Example,
    normalize_channel,
)


def test_taxonomy_is_the_designs():
    assert INTENTS == (
        "booking_request",
        "quote_request",
        "availability",
        "reschedule",
        "cancellation",
        "payment",
        "menu_dietary",
        "complaint",
        "feedback",
        "general_faq",
        "other",
    )
    assert EMOTIONS == ("positive", "neutral", "negative", "angry")
    assert {"angry", "illness", "injury", "allergy_reaction", "legal_threat", "chargeback"} <= set(ESCALATION_REASONS)
    assert CHANNELS == ("sms", "instagram", "email", "chat")


def test_classification_to_dict_and_validation():
    result = Classification(
        intent="complaint",
        emotion="angry",
        language="en",
        escalate=True,
        escalation_reasons=["angry", "illness"],
        confidence=0.87654321,
        classifier="offline",
    )
    assert result.to_dict() == {
        "intent": "complaint",
        "emotion": "angry",
        "language": "en",
        "escalate": True,
        "escalation_reasons": ["angry", "illness"],
        "confidence": 0.8765,
        "classifier": "offline",
        "flags": [],
    }
    assert Classification("other", "neutral", "en", False, confidence=7).confidence == 1.0
    with pytest.raises(ValueError):
        Classification("small_talk", "neutral", "en", False)
    with pytest.raises(ValueError):
        Classification("other", "meh", "en", False)
    with pytest.raises(ValueError):
        Classification("other", "neutral", "en", True, escalation_reasons=["vibes"])


def test_examples_validate_their_labels():
    assert Example("hi", "other", "neutral").channel is None
    for bad in (("", "other", "neutral"), ("hi", "chitchat", "neutral"), ("hi", "other", "sad")):
        with pytest.raises(ValueError):
            Example(*bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("sms", "sms"), ("SMS", "sms"), ("web_chat", "chat"), ("webchat", "chat"), ("ig", "instagram"), (None, None)],
)
def test_channel_aliases(given, expected):
    assert normalize_channel(given) == expected


def test_unknown_channel_is_an_error():
    with pytest.raises(ValueError, match="unknown channel"):
        normalize_channel("fax")


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [offline.TRAIN_PATH, offline.TEST_PATH], ids=["train", "test"])
def test_datasets_are_valid_and_cover_every_label(path):
    rows = _rows(path)
    examples = offline.load_examples(path)  # raises on any bad line
    assert len(examples) == len(rows)
    assert set(Counter(r["intent"] for r in rows)) == set(INTENTS)
    assert set(Counter(r["emotion"] for r in rows)) == set(EMOTIONS)
    assert {r["channel"] for r in rows} == set(CHANNELS)
    assert sum(r["language"] == "es" for r in rows) >= 0.08 * len(rows)


def test_dataset_sizes_and_no_held_out_line_in_training():
    train, test = _rows(offline.TRAIN_PATH), _rows(offline.TEST_PATH)
    assert len(train) >= 600
    assert len(test) >= 200
    seen = {" ".join(normalize(r["text"]).split()) for r in train}
    leaked = [r["text"] for r in test if " ".join(normalize(r["text"]).split()) in seen]
    assert leaked == []
    assert all({"id", "text", "channel", "intent", "emotion", "language", "escalate"} <= set(r) for r in test)
    assert len({r["id"] for r in test}) == len(test)


def test_load_examples_reports_bad_lines_by_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "hi", "intent": "other", "emotion": "neutral"}\n'
        "not json\n"
        '{"text": "hey", "intent": "gossip", "emotion": "neutral"}\n',
        encoding="utf-8",
    )
    with pytest.raises(offline.DatasetError) as caught:
        offline.load_examples(path)
    assert [number for number, _ in caught.value.problems] == [2, 3]
