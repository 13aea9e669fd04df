"""The offline classifier: trained at first use on data/ai/train.jsonl plus staff corrections.

- Two heads over the same TF-IDF features (word 1-2 grams, char 3-5 grams, emojis, shape
  marks): intent, and emotion (class-balanced: angry and negative are rare but matter).
- Staff corrections count double and are also remembered verbatim: the corrected message
  itself always gets the corrected labels.
- A trained model is cached in memory by the hash of its data, and on disk (instance/ai,
  a numpy .npz, no pickle) when a cache folder is given, so other processes load it.
- `corrections_source` is a callable returning the current corrections (the inbox's
  label-correction table). A classifier re-reads it at most every `refresh_seconds` and
  retrains when it changed; the periodic job and `flask ai retrain` force it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.ai import escalation, tone
from app.ai.concepts import LEXICON_VERSION
from app.ai.features import extract, normalize
from app.ai.intent_rules import has_evidence, refine
from app.ai.labels import EMOTIONS, INTENTS, Classification, Example
from app.ai.language import detect_language

if TYPE_CHECKING:  # numpy (under app.ai.model) loads with the first model: web workers never need it
    from app.ai.model import SoftmaxRegression, Vocabulary

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "ai"
TRAIN_PATH = DATA_DIR / "train.jsonl"
TEST_PATH = DATA_DIR / "test.jsonl"
MODEL_VERSION = "offline-lr-3"  # change when features or hyper-parameters change (the concept lexicon counts itself)
CORRECTION_WEIGHT = 2.0
INTENT_C, EMOTION_C, MAX_ITER = 30.0, 30.0, 60
# Escalate as "possibly_angry" when P(angry) reaches this though another emotion won: chosen by
# 5-fold cross-validation on train.jsonl (angry recall 0.69 -> 0.76, precision 0.83 -> 0.75).
POSSIBLY_ANGRY = 0.3
KEEP_MODELS = 4  # trained models kept per process, and model files per cache folder

CorrectionsSource = Callable[[], Iterable["Example | Mapping"]]


class DatasetError(ValueError):
    """A labelled file has bad lines: `problems` lists (line number, message)."""

    def __init__(self, path: Path | str, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        listed = "; ".join(f"line {number}: {message}" for number, message in problems[:5])
        super().__init__(f"{path}: {len(problems)} bad line(s): {listed}")


def load_examples(path: Path | str = TRAIN_PATH) -> list[Example]:
    """Labelled examples of a JSONL file ({"text", "intent", "emotion", ...} per line)."""
    examples, problems = [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                examples.append(as_example(row))
            except (ValueError, TypeError, KeyError) as error:
                problems.append((number, str(error)))
    if problems:
        raise DatasetError(path, problems)
    return examples


def as_example(item: Example | Mapping) -> Example:
    """An Example from an Example, a mapping with text/intent/emotion, or an ORM row with those attributes."""
    if isinstance(item, Example):
        return item
    if isinstance(item, Mapping):
        return Example(text=item["text"], intent=item["intent"], emotion=item["emotion"], channel=item.get("channel"))
    return Example(text=item.text, intent=item.intent, emotion=item.emotion, channel=getattr(item, "channel", None))


def load_corrections(source: CorrectionsSource | None) -> list[Example]:
    """The valid corrections of `source`; invalid ones are logged and skipped."""
    if source is None:
        return []
    corrections = []
    for item in source():
        try:
            corrections.append(as_example(item))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            log.warning("skipping a label correction: %s", error)
    return corrections


def data_hash(examples: Iterable[Example], corrections: Iterable[Example] = ()) -> str:
    """Names a model: its data, and everything that shapes training (so a stale cache is never read)."""
    settings = [MODEL_VERSION, LEXICON_VERSION, INTENT_C, EMOTION_C, MAX_ITER, CORRECTION_WEIGHT]
    digest = hashlib.sha256(json.dumps(settings).encode())
    for tag, items in (("e", examples), ("c", corrections)):
        for example in items:
            digest.update(json.dumps([tag, example.text, example.intent, example.emotion]).encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4096)
def _memory_key(text: str) -> str:
    # Cached: every job compares the shipped examples with the corrections by these keys.
    return " ".join(normalize(text).split())


@dataclass
class OfflineModel:
    vocabulary: Vocabulary
    intent: SoftmaxRegression
    emotion: SoftmaxRegression
    memory: dict[str, tuple[str, str]] = field(default_factory=dict)
    data_hash: str = ""
    examples: int = 0
    corrections: int = 0
    train_seconds: float = 0.0

    def predict(self, text: str) -> tuple[str, float, str, dict[str, float]]:
        """(intent, its probability, emotion, the emotion probabilities)."""
        remembered = self.memory.get(_memory_key(text))
        if remembered:
            return remembered[0], 1.0, remembered[1], {e: float(e == remembered[1]) for e in EMOTIONS}
        intents, emotions = self.probabilities(text)
        intent = max(intents, key=intents.get)
        return intent, intents[intent], max(emotions, key=emotions.get), emotions

    def probabilities(self, text: str) -> tuple[dict[str, float], dict[str, float]]:
        """The model's intent and emotion probabilities (staff corrections aside)."""
        columns, values = self.vocabulary.transform(extract(text))
        return self.intent.predict_proba(columns, values), self.emotion.predict_proba(columns, values)

    def save(self, path: Path) -> None:
        import numpy as np

        path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.memory)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp,
            names=np.array(self.vocabulary.names, dtype=str),
            idf=self.vocabulary.idf,
            intent_labels=np.array(self.intent.labels, dtype=str),
            intent_weights=self.intent.weights,
            intent_bias=self.intent.bias,
            emotion_labels=np.array(self.emotion.labels, dtype=str),
            emotion_weights=self.emotion.weights,
            emotion_bias=self.emotion.bias,
            memory_keys=np.array(keys, dtype=str),
            memory_values=np.array([list(self.memory[key]) for key in keys], dtype=str).reshape(len(keys), 2),
            meta=np.array(
                [self.data_hash, str(self.examples), str(self.corrections), str(self.train_seconds)], dtype=str
            ),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> OfflineModel:
        import numpy as np

        from app.ai.model import SoftmaxRegression, Vocabulary

        with np.load(path, allow_pickle=False) as data:
            meta = [str(item) for item in data["meta"]]
            return cls(
                vocabulary=Vocabulary([str(name) for name in data["names"]], data["idf"]),
                intent=SoftmaxRegression(
                    [str(x) for x in data["intent_labels"]], data["intent_weights"], data["intent_bias"]
                ),
                emotion=SoftmaxRegression(
                    [str(x) for x in data["emotion_labels"]], data["emotion_weights"], data["emotion_bias"]
                ),
                memory={
                    str(key): (str(value[0]), str(value[1]))
                    for key, value in zip(data["memory_keys"], data["memory_values"], strict=True)
                },
                data_hash=meta[0],
                examples=int(meta[1]),
                corrections=int(meta[2]),
                train_seconds=float(meta[3]),
            )


def train(examples: Iterable[Example], corrections: Iterable[Example] = ()) -> OfflineModel:
    """Train both heads on `examples` plus `corrections` (weighted x2 and remembered verbatim)."""
    from app.ai.model import SoftmaxRegression, SparseRows, Vocabulary

    started = time.perf_counter()
    base, fixes = [as_example(e) for e in examples], _dedupe(corrections)
    # A correction replaces a training line with the same text.
    corrected = {_memory_key(fix.text) for fix in fixes}
    base = [example for example in base if _memory_key(example.text) not in corrected]
    rows = base + fixes
    if not rows:
        raise ValueError("no examples to train on")
    weights = [1.0] * len(base) + [CORRECTION_WEIGHT] * len(fixes)
    documents = [extract(example.text) for example in rows]
    vocabulary = Vocabulary.fit(documents)
    data = SparseRows([vocabulary.transform(document) for document in documents], len(vocabulary.names))
    gram = data.gram()
    intent = SoftmaxRegression.fit(
        data,
        gram,
        [e.intent for e in rows],
        labels=INTENTS,
        sample_weight=weights,
        C=INTENT_C,
        max_iter=MAX_ITER,
    )
    emotion = SoftmaxRegression.fit(
        data,
        gram,
        [e.emotion for e in rows],
        labels=EMOTIONS,
        sample_weight=weights,
        balanced=True,
        C=EMOTION_C,
        max_iter=MAX_ITER,
    )
    return OfflineModel(
        vocabulary=vocabulary,
        intent=intent,
        emotion=emotion,
        memory={_memory_key(fix.text): (fix.intent, fix.emotion) for fix in fixes},
        data_hash=data_hash(base, fixes),
        examples=len(base),
        corrections=len(fixes),
        train_seconds=round(time.perf_counter() - started, 3),
    )


_lock = threading.Lock()
_models: dict[str, OfflineModel] = {}  # by data hash, this process
_base_examples: list[Example] | None = None


def base_examples() -> list[Example]:
    global _base_examples
    if _base_examples is None:
        _base_examples = load_examples(TRAIN_PATH)
    return _base_examples


def model_for(corrections: Iterable[Example] = (), *, cache_dir: Path | str | None = None) -> OfflineModel:
    """The model for the shipped examples plus `corrections`: from memory, disk, or trained now."""
    fixes = _dedupe(corrections)
    key = data_hash(_without(base_examples(), fixes), fixes)
    with _lock:
        path = Path(cache_dir) / f"offline-{key}.npz" if cache_dir else None
        model = _models.get(key)
        if model is not None:
            if path is not None and not path.exists():
                _save(model, path)
            return model
        if path is not None and path.exists():
            try:
                model = OfflineModel.load(path)
            except (OSError, ValueError, KeyError) as error:
                log.warning("ignoring unreadable model cache %s: %s", path, error)
        if model is None:
            model = train(base_examples(), fixes)
            log.info(
                "offline classifier trained on %d examples + %d corrections in %.2fs",
                model.examples,
                model.corrections,
                model.train_seconds,
            )
            if path is not None:
                _save(model, path)
        _models[key] = model
        while len(_models) > KEEP_MODELS:  # corrections change over time: drop the oldest
            _models.pop(next(iter(_models)))
        return model


def _save(model: OfflineModel, path: Path) -> None:
    """Write the model; keep only the newest KEEP_MODELS files in its folder."""
    try:
        model.save(path)
        files = sorted(path.parent.glob("offline-*.npz"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[KEEP_MODELS:]:
            old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not cache the model in %s: %s", path, error)


def _dedupe(corrections: Iterable[Example | Mapping]) -> list[Example]:
    """One correction per message: the last one wins (staff changed their mind)."""
    latest: dict[str, Example] = {}
    for item in corrections:
        example = as_example(item)
        latest.pop(_memory_key(example.text), None)
        latest[_memory_key(example.text)] = example
    return list(latest.values())


def _without(examples: list[Example], fixes: list[Example]) -> list[Example]:
    if not fixes:
        return examples
    corrected = {_memory_key(fix.text) for fix in fixes}
    return [example for example in examples if _memory_key(example.text) not in corrected]


def retrain(extra_examples: Iterable[Example | Mapping] = (), *, cache_dir: Path | str | None = None) -> OfflineModel:
    """Rebuild from the shipped examples plus `extra_examples` (staff corrections) and cache it."""
    fixes = _dedupe(extra_examples)
    key = data_hash(_without(base_examples(), fixes), fixes)
    with _lock:
        _models.pop(key, None)
    if cache_dir:
        (Path(cache_dir) / f"offline-{key}.npz").unlink(missing_ok=True)
    return model_for(fixes, cache_dir=cache_dir)


def clear_cache() -> None:
    """Forget the models trained by this process (tests)."""
    global _base_examples
    with _lock:
        _models.clear()
        _base_examples = None


class OfflineClassifier:
    """Classifier protocol over the offline model; see the module docstring."""

    name = "offline"

    def __init__(
        self,
        corrections_source: CorrectionsSource | None = None,
        *,
        cache_dir: Path | str | None = None,
        refresh_seconds: float = 300.0,
        model: OfflineModel | None = None,
    ) -> None:
        """`model` pins a trained model (no corrections are read then)."""
        self.corrections_source = None if model is not None else corrections_source
        self.cache_dir = cache_dir
        self.refresh_seconds = refresh_seconds
        self._model: OfflineModel | None = model
        self._loaded_at = time.monotonic() if model is not None else 0.0

    @property
    def model(self) -> OfflineModel:
        stale = time.monotonic() - self._loaded_at > self.refresh_seconds
        if self._model is None or (stale and self.corrections_source is not None):
            try:
                corrections = load_corrections(self.corrections_source)
            except Exception:  # a broken source must not stop classification
                log.exception("could not read label corrections; classifying with the model at hand")
                corrections = None
            if corrections is not None or self._model is None:
                self._model = model_for(corrections or (), cache_dir=self.cache_dir)
            self._loaded_at = time.monotonic()
        return self._model

    def refresh(self) -> OfflineModel:
        """Re-read the corrections now (and retrain if they changed)."""
        self._model = None
        return self.model

    def classify(self, text: str, channel: str | None = None, *, label: str | None = None) -> Classification:
        text = text or ""
        intent, confidence, emotion, emotions = self.model.predict(text)
        language = detect_language(text)
        if _memory_key(text) not in self.model.memory:  # a staff correction is the answer, as it stands
            emotion = tone.tone(text, emotion)
            if not has_evidence(intent, text, language, emotion):
                # Char n-grams alone ("faites", "carne") make no complaint: the model's next best intent that the
                # words do back.
                intents = self.model.probabilities(text)[0]
                ranked = sorted(intents, key=intents.get, reverse=True)[1:4]
                intent = next((label for label in ranked if has_evidence(label, text, language, emotion)), ranked[0])
                confidence = intents[intent]
            intent = refine(intent, text, language)
        close_to_angry = emotion != "angry" and emotions.get("angry", 0.0) >= POSSIBLY_ANGRY
        extra = ["possibly_angry"] if close_to_angry and tone.could_be_angry(text) else []
        escalate, reasons = escalation.decide(text, emotion, extra)
        if {"injury", "allergy_reaction", "illness"} & set(reasons) and intent in (
            "menu_dietary",
            "feedback",
            "general_faq",
            "payment",
            "other",
        ):
            intent = "complaint"  # something went wrong at the party, whatever else the message asks
        return Classification(
            intent=intent,
            emotion=emotion,
            language=language,
            flags=escalation.flags(text),
            escalate=escalate,
            escalation_reasons=reasons,
            confidence=confidence,
            classifier=label or self.name,
        )
