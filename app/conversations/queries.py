"""Reads for the inbox pages: the filtered conversation list and a conversation's side panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, nulls_last, or_, select
from sqlalchemy.orm import selectinload

from app.ai.labels import EMOTIONS, INTENTS
from app.extensions import db
from app.models.booking import Booking
from app.models.conversation import CHANNELS, Conversation, Draft, Message
from app.models.lead import Lead
from app.tenancy import scoped

VIEWS = {"open": "Open", "awaiting": "Awaiting reply", "escalated": "Escalated", "closed": "Closed", "all": "All"}


@dataclass(frozen=True)
class InboxFilters:
    view: str = "open"
    channel: str = ""
    intent: str = ""
    emotion: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> InboxFilters:
        def pick(name: str, allowed) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            view=pick("view", VIEWS) or "open",
            channel=pick("channel", CHANNELS),
            intent=pick("intent", INTENTS),
            emotion=pick("emotion", EMOTIONS),
            q=(args.get("q") or "").strip()[:100],
        )


def awaiting_reply():
    """SQL for Conversation.awaiting_reply: the customer wrote after our last answer."""
    return (Conversation.last_inbound_at.is_not(None)) & (
        Conversation.answered_at.is_(None) | (Conversation.answered_at < Conversation.last_inbound_at)
    )


def conversation_list(filters: InboxFilters) -> Select:
    """Escalated first, then those waiting for a reply (longest wait first), then the most recent."""
    awaiting = awaiting_reply()
    # display_name falls back on the customer's name: loaded in one query, not one per row.
    stmt = scoped(Conversation).options(selectinload(Conversation.customer))
    if filters.view in ("open", "awaiting", "escalated"):
        stmt = stmt.where(Conversation.status == "open")
    if filters.view == "awaiting":
        stmt = stmt.where(awaiting)
    elif filters.view == "escalated":
        stmt = stmt.where(Conversation.escalated.is_(True))
    elif filters.view == "closed":
        stmt = stmt.where(Conversation.status == "closed")
    if filters.channel:
        stmt = stmt.where(Conversation.channel == filters.channel)
    if filters.intent:
        stmt = stmt.where(Conversation.intent == filters.intent)
    if filters.emotion:
        stmt = stmt.where(Conversation.emotion == filters.emotion)
    if filters.q:
        like = f"%{filters.q}%"
        stmt = stmt.where(
            or_(
                Conversation.contact_name.ilike(like),
                Conversation.contact.ilike(like),
                Conversation.subject.ilike(like),
                Conversation.last_preview.ilike(like),
            )
        )
    waiting_first = case((awaiting, 0), else_=1)
    return stmt.order_by(
        Conversation.escalated.desc(),
        waiting_first,
        case((awaiting, Conversation.last_inbound_at), else_=None).asc(),
        nulls_last(Conversation.last_message_at.desc()),
        Conversation.id.desc(),
    )


def with_draft_waiting(conversation_ids: list[int]) -> set[int]:
    """Those of the conversations whose draft is ready and waits for a manager to approve it."""
    if not conversation_ids:
        return set()
    stmt = (
        scoped(Draft)
        .where(Draft.conversation_id.in_(conversation_ids), Draft.status == "ready")
        .with_only_columns(Draft.conversation_id)
        .distinct()
    )
    return set(db.session.scalars(stmt))


def waiting_minutes(conversation: Conversation, now: datetime) -> int | None:
    """Minutes since the customer's unanswered message (the SLA timer); None when answered."""
    if not conversation.awaiting_reply:
        return None
    return max(0, int((now - conversation.last_inbound_at).total_seconds() // 60))


def latest_inbound(conversation_id: int) -> Message | None:
    """The customer's newest message in the conversation (the one a draft answers)."""
    return db.session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.direction == "in")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def thread(conversation: Conversation) -> list[Message]:
    return db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.created_at, Message.id)
        .limit(500)
    ).all()


def side_panel(conversation: Conversation) -> dict:
    """The customer's (or lead's) bookings and leads, for the conversation page."""
    bookings: list[Booking] = []
    leads: list[Lead] = []
    if conversation.customer_id:
        bookings = db.session.scalars(
            scoped(Booking, Booking.customer_id == conversation.customer_id)
            .order_by(Booking.event_date.desc())
            .limit(5)
        ).all()
        leads = db.session.scalars(
            scoped(Lead, Lead.customer_id == conversation.customer_id).order_by(Lead.created_at.desc()).limit(5)
        ).all()
    if conversation.lead_id and all(lead.id != conversation.lead_id for lead in leads):
        lead = db.session.get(Lead, conversation.lead_id)
        if lead is not None:
            leads = [lead, *leads]
    return {"bookings": bookings, "leads": leads}
