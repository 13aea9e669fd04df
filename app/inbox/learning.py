"""Learning from staff: label corrections (classifier training data) and draft acceptance.

- `correct_labels()`: one click in the inbox; the LabelCorrection row is what
  `flask ai retrain` and the hourly `ai.refresh_offline_model` job train on (the
  corrections source is registered at app start by `register()`).
- `acceptance()`: per station and intent, AI drafts sent, how many unchanged, the mean
  edit distance; the Learning page and the /metrics collector read it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import case, func, select

from app import audit
from app.ai.labels import EMOTIONS, INTENTS
from app.errors import ValidationFailed
from app.extensions import db
from app.inbox import queries
from app.models.base import utcnow
from app.models.conversation import Draft, LabelCorrection, Message
from app.models.station import Station
from app.models.user import User

log = logging.getLogger(__name__)
METRICS_WINDOW = timedelta(days=30)


def correct_labels(message: Message, user: User, *, intent: str | None = None, emotion: str | None = None) -> bool:
    """Store staff's labels for an inbound message; False when nothing changed."""
    intent = intent or message.intent
    emotion = emotion or message.emotion
    if intent not in INTENTS:
        raise ValidationFailed(f"Unknown intent {intent!r}.", fields={"intent": "Pick one of the list."})
    if emotion not in EMOTIONS:
        raise ValidationFailed(f"Unknown emotion {emotion!r}.", fields={"emotion": "Pick one of the list."})
    if message.direction != "in":
        raise ValidationFailed("Only customer messages carry labels.")
    if intent == message.intent and emotion == message.emotion:
        return False
    correction = db.session.scalar(select(LabelCorrection).where(LabelCorrection.message_id == message.id))
    if correction is None:
        correction = LabelCorrection(
            station_id=message.station_id,
            message_id=message.id,
            text=message.body,
            channel=message.channel,
            previous_intent=message.intent,
            previous_emotion=message.emotion,
        )
        db.session.add(correction)
    before = {"intent": message.intent, "emotion": message.emotion}
    correction.intent, correction.emotion = intent, emotion
    correction.corrected_by_id, correction.corrected_at = user.id, utcnow()
    message.intent, message.emotion, message.labels_corrected = intent, emotion, True
    mirror_labels(message)
    db.session.flush()
    audit.record("message.labels_corrected", message, before=before, after={"intent": intent, "emotion": emotion})
    return True


def mirror_labels(message: Message) -> None:
    """The inbox sorts and badges by the conversation's labels: those of its newest customer message."""
    conversation = message.conversation
    if queries.latest_inbound(conversation.id) is message:
        conversation.intent, conversation.emotion = message.intent, message.emotion
        conversation.language = message.language


def corrections() -> list[dict]:
    """Every correction as training data for the offline classifier."""
    rows = db.session.execute(
        select(LabelCorrection.text, LabelCorrection.intent, LabelCorrection.emotion, LabelCorrection.channel)
    ).all()
    return [
        {"text": text, "intent": intent, "emotion": emotion, "channel": None if channel == "webchat" else channel}
        for text, intent, emotion, channel in rows
        if text and text.strip()
    ]


@dataclass(frozen=True)
class Acceptance:
    station_id: int
    intent: str
    sent: int
    unchanged: int
    mean_edit_distance: float | None

    @property
    def rate(self) -> float | None:
        return self.unchanged / self.sent if self.sent else None


def acceptance(station_ids: list[int] | None, since: datetime | None = None) -> list[Acceptance]:
    """AI drafts decided and sent, per station and intent (a GROUP BY, no row loop)."""
    query = (
        select(
            Draft.station_id,
            Draft.intent,
            func.count(),
            func.sum(case((Draft.accepted_unchanged.is_(True), 1), else_=0)),
            func.avg(Draft.edit_distance),
        )
        .where(Draft.status == "sent", Draft.source == "ai", Draft.generated_at.is_not(None))
        .group_by(Draft.station_id, Draft.intent)
        .order_by(Draft.station_id, Draft.intent)
    )
    if station_ids is not None:
        query = query.where(Draft.station_id.in_(station_ids))
    if since is not None:
        query = query.where(Draft.decided_at >= since)
    return [
        Acceptance(station_id, intent or "other", sent, int(unchanged or 0), float(mean) if mean is not None else None)
        for station_id, intent, sent, unchanged, mean in db.session.execute(query)
    ]


def totals(rows: list[Acceptance]) -> Acceptance | None:
    """All rows summed (the mean edit distance weighted by drafts)."""
    sent = sum(row.sent for row in rows)
    if not sent:
        return None
    distance = sum((row.mean_edit_distance or 0) * row.sent for row in rows) / sent
    return Acceptance(0, "all", sent, sum(row.unchanged for row in rows), distance)


class DraftsCollector:
    """/metrics: acceptance rate and mean edit distance per station and intent (last 30 days)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        labels = ["station", "intent"]
        return (
            GaugeMetricFamily("teppan_drafts_sent", "AI drafts sent in the last 30 days.", labels=labels),
            GaugeMetricFamily(
                "teppan_drafts_acceptance_ratio", "Share of AI drafts sent unchanged (30 days).", labels=labels
            ),
            GaugeMetricFamily(
                "teppan_drafts_edit_distance_mean", "Mean characters changed per sent AI draft.", labels=labels
            ),
        )

    def describe(self):
        return list(self._families())

    def collect(self):
        sent, ratio, distance = self._families()
        try:
            with self.app.app_context():
                slugs = dict(db.session.execute(select(Station.id, Station.slug)).all())
                rows = acceptance(None, since=utcnow() - METRICS_WINDOW)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail
            log.debug("metrics: drafts unreadable: %s", exc)
            return
        for row in rows:
            labels = [slugs.get(row.station_id, str(row.station_id)), row.intent]
            sent.add_metric(labels, row.sent)
            ratio.add_metric(labels, row.rate or 0.0)
            distance.add_metric(labels, row.mean_edit_distance or 0.0)
        yield sent
        yield ratio
        yield distance


def register(app: Flask) -> None:
    """The classifier trains on this app's label corrections."""
    from app.ai.classifier import set_corrections_source

    set_corrections_source(corrections)
