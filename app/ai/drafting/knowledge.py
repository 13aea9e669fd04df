"""The station's knowledge base for drafts: its active FAQ and policy entries, ranked by BM25."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.ai.drafting.textmatch import bm25_scores
from app.extensions import db
from app.models.conversation import KnowledgeEntry

# BM25 points below which an entry is only loosely related: offered to the model as a
# search result, never quoted by the offline composer.
QUOTE_THRESHOLD = 2.0
TOP_K = 3


@dataclass(frozen=True)
class KnowledgeHit:
    id: int
    kind: str
    question: str
    answer: str
    score: float

    def as_dict(self) -> dict:
        return {"id": self.id, "question": self.question, "answer": self.answer, "score": round(self.score, 3)}


def rank(entries: list[KnowledgeEntry], query: str, top: int = TOP_K) -> list[KnowledgeHit]:
    """The entries that match `query`, best first; the question counts twice (it says what the entry is about)."""
    documents = [f"{e.question} {e.question} {e.answer}" for e in entries]
    scored = sorted(zip(bm25_scores(query, documents), entries, strict=True), key=lambda pair: -pair[0])
    return [KnowledgeHit(e.id, e.kind, e.question, e.answer, score) for score, e in scored[:top] if score > 0]


def active_entries(station_id: int) -> list[KnowledgeEntry]:
    """The station's active entries (a few dozen: ranked in Python per draft)."""
    return list(
        db.session.scalars(
            select(KnowledgeEntry)
            .where(KnowledgeEntry.station_id == station_id, KnowledgeEntry.is_active)
            .order_by(KnowledgeEntry.id)
        )
    )


def search(station_id: int, query: str, top: int = TOP_K) -> list[KnowledgeHit]:
    """The station's active entries that best answer `query`."""
    return rank(active_entries(station_id), query, top)
