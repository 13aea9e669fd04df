"""Batch classification and evaluation over JSONL files (`flask ai classify` / `flask ai eval`).

Input lines are validated one by one; a bad line is reported with its number and never
stops the others. Metrics: intent accuracy, per-intent precision/recall/F1, macro-F1,
emotion accuracy and macro-F1, escalation precision/recall (lines labelled with
"escalate"), language accuracy (lines labelled with "language"), an intent confusion
matrix (rows: true label, columns: predicted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from app.ai.labels import EMOTIONS, INTENTS, Classification, normalize_channel


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Message:
    line: int
    id: str | int
    text: str
    channel: str | None
    gold: dict = field(default_factory=dict)


def json_objects(lines: Iterable[str]) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, the object, None) per JSONL line, or (number, None, what is wrong); blank lines skipped."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as error:
            yield number, None, f"not JSON ({error.msg})"
            continue
        if not isinstance(row, dict):
            yield number, None, "not a JSON object"
            continue
        yield number, row, None


def parse_lines(lines: Iterable[str], *, labelled: bool = False) -> tuple[list[Message], list[Problem]]:
    """Messages of JSONL lines ({"id", "text", "channel"}; with labelled=True also "intent", "emotion")."""
    messages, problems = [], []
    for number, row, wrong in json_objects(lines):
        if wrong:
            problems.append(Problem(number, wrong))
            continue
        message, problem = _message(number, row, labelled)
        if problem:
            problems.append(Problem(number, problem))
        else:
            messages.append(message)
    return messages, problems


def _message(number: int, row: dict, labelled: bool) -> tuple[Message | None, str | None]:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, '"text" must be a non-empty string'
    ident = row.get("id", None if not labelled else number)
    if ident is None or isinstance(ident, bool) or not isinstance(ident, str | int):
        return None, '"id" must be a string or an integer'
    try:
        channel = normalize_channel(row.get("channel"))
    except ValueError as error:
        return None, str(error)
    gold = {}
    if labelled:
        if row.get("intent") not in INTENTS:
            return None, f'"intent" must be one of {", ".join(INTENTS)}'
        if row.get("emotion") not in EMOTIONS:
            return None, f'"emotion" must be one of {", ".join(EMOTIONS)}'
        gold = {"intent": row["intent"], "emotion": row["emotion"]}
        if "escalate" in row:
            if not isinstance(row["escalate"], bool):
                return None, '"escalate" must be true or false'
            gold["escalate"] = row["escalate"]
        if isinstance(row.get("language"), str):
            gold["language"] = row["language"].lower()
    return Message(number, ident, text, channel, gold), None


def output_row(message: Message, result: Classification) -> dict:
    return {
        "id": message.id,
        "intent": result.intent,
        "emotion": result.emotion,
        "escalate": result.escalate,
        "language": result.language,
        "confidence": round(result.confidence, 4),
    }


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def per_class(gold: list[str], predicted: list[str], labels: Iterable[str]) -> dict[str, dict]:
    table = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        table[label] = {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "support": tp + fn,
        }
    return table


def metrics(gold: list[dict], predicted: list[Classification]) -> dict:
    """Scores of `predicted` against `gold` ({"intent", "emotion", optional "escalate", "language"})."""
    n = len(gold)
    gold_intents = [g["intent"] for g in gold]
    intents = [p.intent for p in predicted]
    gold_emotions = [g["emotion"] for g in gold]
    emotions = [p.emotion for p in predicted]
    # Macro averages over the labels that occur in the gold set (absent ones have no recall).
    intent_table = per_class(gold_intents, intents, INTENTS)
    present = [label for label in INTENTS if intent_table[label]["support"]]
    emotion_table = per_class(gold_emotions, emotions, EMOTIONS)
    emotions_present = [label for label in EMOTIONS if emotion_table[label]["support"]]
    confusion = {g: dict.fromkeys(INTENTS, 0) for g in INTENTS}
    for g, p in zip(gold_intents, intents, strict=True):
        confusion[g][p] += 1
    result = {
        "examples": n,
        "intent_accuracy": _ratio(sum(g == p for g, p in zip(gold_intents, intents, strict=True)), n),
        "intent_macro_f1": sum(intent_table[label]["f1"] for label in present) / len(present) if present else 0.0,
        "per_intent": intent_table,
        "emotion_accuracy": _ratio(sum(g == p for g, p in zip(gold_emotions, emotions, strict=True)), n),
        "emotion_macro_f1": (
            sum(emotion_table[label]["f1"] for label in emotions_present) / len(emotions_present)
            if emotions_present
            else 0.0
        ),
        "per_emotion": emotion_table,
        "confusion": confusion,
    }
    pairs = [(g["escalate"], p.escalate) for g, p in zip(gold, predicted, strict=True) if "escalate" in g]
    if pairs:
        tp = sum(1 for g, p in pairs if g and p)
        fp = sum(1 for g, p in pairs if not g and p)
        fn = sum(1 for g, p in pairs if g and not p)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        result["escalation"] = {
            "labelled": len(pairs),
            "positives": tp + fn,
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
        }
    languages = [(g["language"], p.language) for g, p in zip(gold, predicted, strict=True) if "language" in g]
    if languages:
        result["language_accuracy"] = _ratio(sum(g == p for g, p in languages), len(languages))
    return result


_SHORT = {
    "booking_request": "book",
    "quote_request": "quote",
    "availability": "avail",
    "reschedule": "resch",
    "cancellation": "cancel",
    "payment": "pay",
    "menu_dietary": "menu",
    "complaint": "compl",
    "feedback": "feedb",
    "general_faq": "faq",
    "other": "other",
}


def format_report(scores: dict, *, classifier: str = "") -> str:
    """The scores as text tables."""
    lines = []
    head = f"{scores['examples']} labelled messages" + (f", classifier {classifier}" if classifier else "")
    lines.append(head)
    lines.append(
        f"intent accuracy {scores['intent_accuracy']:.3f}   intent macro-F1 {scores['intent_macro_f1']:.3f}   "
        f"emotion accuracy {scores['emotion_accuracy']:.3f}   emotion macro-F1 {scores['emotion_macro_f1']:.3f}"
    )
    if "escalation" in scores:
        esc = scores["escalation"]
        lines.append(
            f"escalation precision {esc['precision']:.3f}   recall {esc['recall']:.3f}   F1 {esc['f1']:.3f}   "
            f"({esc['positives']} escalations in {esc['labelled']} labelled)"
        )
    if "language_accuracy" in scores:
        lines.append(f"language accuracy {scores['language_accuracy']:.3f}")
    lines.append("")
    lines.append(f"{'intent':<16} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for label, row in scores["per_intent"].items():
        lines.append(
            f"{label:<16} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} {row['support']:>8d}"
        )
    lines.append("")
    lines.append(f"{'emotion':<16} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for label, row in scores["per_emotion"].items():
        lines.append(
            f"{label:<16} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} {row['support']:>8d}"
        )
    lines.append("")
    lines.append("confusion matrix (rows: true intent, columns: predicted)")
    lines.append(f"{'':<16}" + "".join(f"{_SHORT[label]:>7}" for label in INTENTS))
    for label in INTENTS:
        row = scores["confusion"][label]
        lines.append(f"{label:<16}" + "".join(f"{row[p] or '.':>7}" for p in INTENTS))
    return "\n".join(lines)
