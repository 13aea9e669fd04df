"""The inbox numbers on the station dashboard: waiting replies, escalations, drafts to approve."""

from __future__ import annotations

from sqlalchemy import func, select

from app.conversations import queries
from app.dashboard.services import Stat, Window, contributes
from app.extensions import db
from app.models.conversation import Conversation, Draft


@contributes(order=20)
def inbox_numbers(station_id: int, window: Window) -> list[Stat]:
    awaiting = queries.awaiting_reply()
    open_here = (Conversation.station_id == station_id) & (Conversation.status == "open")
    waiting, escalated = db.session.execute(
        select(
            func.count().filter(awaiting),
            func.count().filter(Conversation.escalated.is_(True)),
        ).where(open_here)
    ).one()
    ready = db.session.scalar(select(func.count()).where(Draft.station_id == station_id, Draft.status == "ready"))
    return [
        Stat(
            "Conversations awaiting a reply",
            waiting,
            "inbox.index",
            {"view": "awaiting"},
            "warn" if waiting else "",
            headline=True,
        ),
        Stat("Escalated conversations", escalated, "inbox.index", {"view": "escalated"}, "bad" if escalated else ""),
        # Staff may edit drafts but not send them: approving is the managers' number.
        Stat(
            "Drafts ready to approve",
            ready,
            "inbox.index",
            {"view": "awaiting"},
            permission="drafts.send",
            headline=True,
        ),
    ]
