"""One interface, two classifiers: `get_classifier(config)` picks OpenAI or offline.

    classifier = get_classifier(current_app.config, cache_dir=Path(current_app.instance_path) / "ai")
    result = classifier.classify(message.text, message.channel)   # -> Classification

The inbox registers where staff label corrections come from, once, at app start:

    set_corrections_source(lambda: LabelCorrection.query...)   # Iterable[Example | mapping | row]

Anything with `text`, `intent`, `emotion` (mapping keys or attributes) will do.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from app.ai.labels import Classification
from app.ai.offline import CorrectionsSource, OfflineClassifier


@runtime_checkable
class Classifier(Protocol):
    name: str

    def classify(self, text: str, channel: str | None = None) -> Classification: ...


_corrections_source: CorrectionsSource | None = None


def set_corrections_source(source: CorrectionsSource | None) -> None:
    """Where label corrections come from (the inbox's table); None: no corrections."""
    global _corrections_source
    _corrections_source = source


def corrections_source() -> CorrectionsSource | None:
    return _corrections_source


def setting(config: Mapping[str, Any] | object, name: str, default: Any = None) -> Any:
    """A setting of a Flask config (a dict) or of a config.Config object."""
    if isinstance(config, Mapping):
        value = config.get(name, default)
    else:
        value = getattr(config, name, default)
    return default if value in (None, "") else value


def get_classifier(
    config: Mapping[str, Any] | object,
    *,
    corrections_source: CorrectionsSource | None = None,
    cache_dir: Path | str | None = None,
) -> Classifier:
    """OpenAI when OPENAI_API_KEY is set (OPENAI_BASE_URL and OPENAI_MODEL honoured), else offline."""
    offline = OfflineClassifier(corrections_source or _corrections_source, cache_dir=cache_dir)
    api_key = setting(config, "OPENAI_API_KEY")
    if not api_key:
        return offline
    from app.ai.openai_classifier import OpenAIClassifier

    return OpenAIClassifier(
        api_key=api_key,
        base_url=setting(config, "OPENAI_BASE_URL"),
        model=setting(config, "OPENAI_MODEL"),
        fallback=offline,
    )
