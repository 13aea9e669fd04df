"""`flask ai classify`, `flask ai eval`, `flask ai retrain`, `flask ai draft`.

Wire with `from app.ai import cli as ai_cli; ai_cli.register(app)` in the app factory.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.ai import offline
from app.ai.evaluate import format_report, metrics, output_row, parse_lines


def _cache_dir() -> Path:
    """Where trained offline models are cached: AI_MODEL_CACHE_DIR, else instance/ai."""
    return Path(current_app.config.get("AI_MODEL_CACHE_DIR") or Path(current_app.instance_path) / "ai")


def _classifier(force_offline: bool):
    from app.ai.classifier import corrections_source, get_classifier

    config = {} if force_offline else current_app.config
    return get_classifier(config, corrections_source=corrections_source(), cache_dir=_cache_dir())


def _classify_all(classifier, messages) -> list:
    from app.ai.openai_classifier import ClassifierError
    from app.jobs.registry import TransientError

    results = []
    for message in messages:
        try:
            results.append(classifier.classify(message.text, message.channel))
        except (TransientError, ClassifierError) as error:
            raise click.ClickException(f"line {message.line}: {error}") from None
    return results


def _report_problems(problems) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} bad line(s)", err=True)


def register(app: Flask) -> None:
    group = AppGroup("ai", help="Message classification: classify, evaluate, retrain.")

    @group.command("classify")
    @click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), required=True, help="JSONL.")
    @click.option("--output", "output_file", type=click.File("w", encoding="utf-8", lazy=True), default="-")
    @click.option("--offline", "force_offline", is_flag=True, help="Use the offline classifier even with a key.")
    @click.pass_context
    def classify(ctx: click.Context, input_file, output_file, force_offline: bool) -> None:
        """Label JSONL lines {"id", "text", "channel"}.

        Writes {"id", "intent", "emotion", "escalate", "language", "confidence"} per line.
        """
        messages, problems = parse_lines(input_file)
        classifier = _classifier(force_offline)
        results = _classify_all(classifier, messages)
        for message, result in zip(messages, results, strict=True):
            output_file.write(json.dumps(output_row(message, result), ensure_ascii=False) + "\n")
        output_file.close()
        _report_problems(problems)
        click.echo(f"classified {len(messages)} message(s) with {classifier.name}", err=True)
        if problems:
            ctx.exit(1)

    @group.command("eval")
    @click.option(
        "--input",
        "input_file",
        type=click.File("r", encoding="utf-8"),
        default=str(offline.TEST_PATH),
        show_default="data/ai/test.jsonl",
        help='JSONL with "text", "intent", "emotion" (and optionally "escalate", "language").',
    )
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @click.option("--offline", "force_offline", is_flag=True, help="Use the offline classifier even with a key.")
    @click.option(
        "--drafts",
        "with_drafts",
        is_flag=True,
        help="Also draft every line on a scratch station (rolled back) and score the drafts (tests/ai/eval format).",
    )
    @click.option(
        "--details",
        "details_file",
        type=click.File("w", encoding="utf-8", lazy=True),
        help="Per-line drafts and checks (JSONL).",
    )
    @click.pass_context
    def evaluate(
        ctx: click.Context, input_file, as_json: bool, force_offline: bool, with_drafts: bool, details_file
    ) -> None:
        """Accuracy, per-intent precision/recall/F1, emotion, escalation, confusion matrix; --drafts: the drafts too."""
        if with_drafts:
            _evaluate_drafts(input_file, as_json, details_file)
            return
        messages, problems = parse_lines(input_file, labelled=True)
        _report_problems(problems)
        if not messages:
            raise click.ClickException("no valid labelled lines")
        classifier = _classifier(force_offline)
        results = _classify_all(classifier, messages)
        scores = metrics([m.gold for m in messages], results)
        scores["classifier"] = classifier.name
        if as_json:
            click.echo(json.dumps(scores, indent=2, sort_keys=True))
        else:
            click.echo(format_report(scores, classifier=classifier.name))
        if problems:
            ctx.exit(1)

    @group.command("retrain")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    def retrain(as_json: bool) -> None:
        """Retrain the offline classifier on data/ai/train.jsonl plus staff label corrections."""
        from app.ai.classifier import corrections_source

        corrections = offline.load_corrections(corrections_source())
        model = offline.retrain(corrections, cache_dir=_cache_dir())
        held_out, _ = parse_lines(offline.TEST_PATH.read_text(encoding="utf-8").splitlines(), labelled=True)
        classifier = offline.OfflineClassifier(model=model)
        scores = metrics([m.gold for m in held_out], [classifier.classify(m.text, m.channel) for m in held_out])
        summary = {
            "examples": model.examples,
            "corrections": model.corrections,
            "train_seconds": model.train_seconds,
            "data_hash": model.data_hash,
            "held_out_intent_accuracy": round(scores["intent_accuracy"], 4),
            "held_out_intent_macro_f1": round(scores["intent_macro_f1"], 4),
            "held_out_emotion_accuracy": round(scores["emotion_accuracy"], 4),
        }
        if as_json:
            click.echo(json.dumps(summary, indent=2))
        else:
            click.echo(
                f"retrained on {model.examples} examples + {model.corrections} corrections "
                f"in {model.train_seconds:.2f}s (data {model.data_hash}); held-out intent accuracy "
                f"{scores['intent_accuracy']:.3f}, macro-F1 {scores['intent_macro_f1']:.3f}, "
                f"emotion accuracy {scores['emotion_accuracy']:.3f}"
            )

    @group.command("draft")
    @click.option(
        "--station", "slug", required=True, help="The station whose prices, slots and knowledge ground the drafts."
    )
    @click.option(
        "--input", "input_file", type=click.File("r", encoding="utf-8"), required=True, help="JSONL messages."
    )
    @click.option("--output", "output_file", type=click.File("w", encoding="utf-8", lazy=True), default="-")
    @click.pass_context
    def draft_command(ctx: click.Context, slug: str, input_file, output_file) -> None:
        """Offline drafts for JSONL lines {"id", "channel", "text", "received_at"[, "from"]} (no API key needed).

        Writes {"id", "reply", "language", "escalate", "facts", "quote", ...} per line, as the inbox drafts.
        """
        from app.ai.draft_lines import draft, parse
        from app.extensions import db
        from app.models.station import Station

        station = db.session.scalar(select(Station).where(Station.slug == slug))
        if station is None:
            raise click.ClickException(f"There is no station {slug!r}; see Admin -> Stations for the slugs.")
        lines, problems = parse(input_file)
        classifier = _classifier(True)
        for line in lines:
            out, _ = draft(station.id, line, classifier)
            output_file.write(json.dumps(out, ensure_ascii=False) + "\n")
        output_file.close()
        db.session.rollback()  # drafting reads only; nothing to keep
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"drafted {len(lines)} message(s) for {station.slug}", err=True)
        if problems:
            ctx.exit(1)

    app.cli.add_command(group)


def _evaluate_drafts(input_file, as_json: bool, details_file) -> None:
    """The classifier and draft figures of a labelled draft set (tests/ai/eval/*.jsonl)."""
    from app.ai import draft_scoring
    from app.ai.draft_lines import parse

    lines, problems = parse(input_file)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if not lines:
        raise click.ClickException("no valid lines")
    outputs, scores = draft_scoring.run(lines, _classifier(True))
    figures = draft_scoring.summary([line.row for line in lines], outputs, scores)
    if details_file is not None:
        for out, score in zip(outputs, scores, strict=True):
            details_file.write(json.dumps({**out, "score": score}, ensure_ascii=False) + "\n")
        details_file.close()
    click.echo(json.dumps(figures, indent=2) if as_json else draft_scoring.format_summary(figures))
