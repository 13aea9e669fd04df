"""`flask ai classify`, `flask ai eval`, `flask ai retrain` through click's runner."""

from __future__ import annotations

import json

import pytest

from app.ai import classifier as classifier_module
from app.ai.labels import INTENTS


@pytest.fixture
def runner(ai_app):
    """click >= 8.2: `output` is what a terminal shows (stdout and stderr), `stdout` alone is stdout."""
    return ai_app.test_cli_runner()


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_classify_writes_one_label_line_per_message(runner, tmp_path):
    source = _write(
        tmp_path / "messages.jsonl",
        [
            json.dumps({"id": "m1", "text": "How much for 25 adults in Fontana?", "channel": "sms"}),
            json.dumps({"id": 2, "text": "Everyone got sick after your party!!", "channel": "email"}),
            json.dumps({"id": "m3", "text": "Hola, tienen disponible el sábado?", "channel": "web_chat"}),
        ],
    )
    output = tmp_path / "labels.jsonl"
    result = runner.invoke(args=["ai", "classify", "--input", str(source), "--output", str(output), "--offline"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["m1", 2, "m3"]
    assert all(set(r) == {"id", "intent", "emotion", "escalate", "language", "confidence"} for r in rows)
    assert rows[0]["intent"] == "quote_request"
    assert rows[1]["escalate"] is True
    assert rows[2]["language"] == "es"
    assert all(r["intent"] in INTENTS and 0 <= r["confidence"] <= 1 for r in rows)


def test_classify_reports_bad_lines_with_numbers_and_fails(runner, tmp_path):
    source = _write(
        tmp_path / "messages.jsonl",
        [
            json.dumps({"id": "ok", "text": "Can I book the 12th?", "channel": "sms"}),
            "{not json",
            json.dumps({"id": "no-text", "channel": "sms"}),
            json.dumps({"id": "fax", "text": "hello", "channel": "fax"}),
            json.dumps(["a", "list"]),
            json.dumps({"text": "no id", "channel": "sms"}),
            json.dumps({"id": "ok2", "text": "Do you do vegan?", "channel": "instagram"}),
        ],
    )
    output = tmp_path / "labels.jsonl"
    result = runner.invoke(args=["ai", "classify", "--input", str(source), "--output", str(output)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    text = result.output
    for number in (2, 3, 4, 5, 6):
        assert f"line {number}:" in text
    assert "line 1:" not in text and "line 7:" not in text
    assert "Traceback" not in text
    assert [json.loads(line)["id"] for line in output.read_text().splitlines()] == ["ok", "ok2"]


def test_classify_missing_input_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["ai", "classify", "--input", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_eval_prints_scores_and_a_confusion_matrix(runner):
    result = runner.invoke(args=["ai", "eval", "--offline"])  # the held-out set by default
    assert result.exit_code == 0, result.output
    assert "intent macro-F1" in result.output
    assert "escalation precision" in result.output
    assert "confusion matrix" in result.output
    for label in INTENTS:
        assert label in result.output


def test_eval_json(runner, tmp_path):
    source = _write(
        tmp_path / "labelled.jsonl",
        [
            json.dumps({"text": "How much for 30 people?", "intent": "quote_request", "emotion": "neutral"}),
            json.dumps(
                {
                    "text": "The chef burned my daughter's arm",
                    "intent": "complaint",
                    "emotion": "angry",
                    "escalate": True,
                    "language": "en",
                }
            ),
        ],
    )
    result = runner.invoke(args=["ai", "eval", "--input", str(source), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["examples"] == 2
    assert scores["classifier"] == "offline"
    assert set(scores["per_intent"]) == set(INTENTS)
    assert scores["escalation"]["labelled"] == 1
    assert scores["escalation"]["recall"] == 1.0
    assert (
        scores["confusion"]["quote_request"]["quote_request"] + scores["confusion"]["quote_request"]["availability"]
        >= 1
    )
    assert 0 <= scores["intent_macro_f1"] <= 1


def test_eval_reports_bad_labelled_lines(runner, tmp_path):
    source = _write(
        tmp_path / "labelled.jsonl",
        [
            json.dumps({"text": "How much for 30 people?", "intent": "quote_request", "emotion": "neutral"}),
            json.dumps({"text": "hi", "intent": "smalltalk", "emotion": "neutral"}),
            json.dumps({"text": "hi", "intent": "other", "emotion": "neutral", "escalate": "no"}),
        ],
    )
    result = runner.invoke(args=["ai", "eval", "--input", str(source)])
    assert result.exit_code == 1
    text = result.output
    assert "line 2:" in text and "line 3:" in text and "Traceback" not in text


def test_retrain_uses_the_registered_corrections(runner, ai_app, tmp_path):
    corrections = [{"text": "do you guys sell gift cards?", "intent": "payment", "emotion": "neutral"}]
    classifier_module.set_corrections_source(lambda: corrections)
    try:
        result = runner.invoke(args=["ai", "retrain", "--json"])
    finally:
        classifier_module.set_corrections_source(None)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["corrections"] == 1
    assert summary["examples"] >= 600
    assert summary["held_out_intent_macro_f1"] > 0.8
    assert (tmp_path / "ai" / f"offline-{summary['data_hash']}.npz").exists()
