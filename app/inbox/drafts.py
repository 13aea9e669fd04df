"""What people do with drafts: staff edit and propose, managers approve, reject, regenerate.

The generated text (`Draft.body`) is never overwritten: an edit goes to `edited_body`,
what leaves to `sent_body`, so the edit distance and "sent unchanged" are measured on
what the AI wrote against what the customer got. Every decision is audited with the
draft and what was changed. Services flush; the request commits once.
"""

from __future__ import annotations

from datetime import datetime

from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

from app import audit
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.inbox import outbound, queries
from app.jobs import outbox
from app.models.base import utcnow
from app.models.conversation import OPEN_DRAFT_STATES, Conversation, Draft, Message
from app.models.user import User

MAX_REPLY_CHARS = 20_000


def lock(conversation: Conversation) -> None:
    """Serialise decisions on one conversation (SELECT ... FOR UPDATE of its row).

    Two managers pressing "Approve & send" at once: the second waits, then finds the
    draft sent and is refused, so a reply never goes out twice. Opening a draft takes
    the same lock, so the one-open-draft index is never raced into an error.
    """
    db.session.refresh(conversation, with_for_update=True)


def open_draft_of(conversation: Conversation) -> Draft | None:
    return db.session.scalar(
        select(Draft).where(Draft.conversation_id == conversation.id, Draft.status.in_(OPEN_DRAFT_STATES))
    )


def _clean(text: str | None) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("Write the reply first: it is empty.", fields={"text": "Required."})
    if len(text) > MAX_REPLY_CHARS:
        raise ValidationFailed(f"The reply is too long (at most {MAX_REPLY_CHARS:,} characters).")
    return text


def _require_open(draft: Draft) -> None:
    if draft.status not in OPEN_DRAFT_STATES:
        raise Conflict(f"This draft was already {draft.status}; reload the conversation.")


def new_ai_draft(conversation: Conversation, message: Message | None) -> Draft:
    """A `generating` AI draft answering `message`; the caller holds the conversation lock."""
    draft = Draft(
        station_id=conversation.station_id,
        conversation_id=conversation.id,
        message_id=message.id if message else None,
        status="generating",
        source="ai",
        intent=message.intent if message else conversation.intent,
        language=message.language if message else conversation.language,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def _refuse_if_answered_since(conversation: Conversation, seen_message_id: int | None) -> None:
    """A form showed the thread up to `seen_message_id`: a reply sent since (a double click, a
    colleague) must not be answered a second time. Call with the conversation locked."""
    if seen_message_id is None:
        return
    newer = db.session.scalar(
        select(Message.id)
        .where(Message.conversation_id == conversation.id, Message.direction == "out", Message.id > seen_message_id)
        .limit(1)
    )
    if newer is not None:
        raise Conflict("A reply went out while this page was open; reload to see it before sending another.")


def propose(
    conversation: Conversation, text: str, user: User, *, source: str = "staff", seen_message_id: int | None = None
) -> Draft:
    """Save `text` as the proposed reply: an edit of the open draft, or a new hand-written draft."""
    text = _clean(text)
    lock(conversation)
    _refuse_if_answered_since(conversation, seen_message_id)
    draft = open_draft_of(conversation)
    if draft is not None and draft.status == "generating":
        raise Conflict("The AI is still writing a draft: wait a moment, or regenerate.")
    if draft is None:
        latest = queries.latest_inbound(conversation.id)
        draft = Draft(
            station_id=conversation.station_id,
            conversation_id=conversation.id,
            message_id=latest.id if latest else None,
            status="ready",
            source=source,
            generator="",
            intent=conversation.intent,
            language=conversation.language,
            body=text,
            edited_by_id=user.id,
        )
        db.session.add(draft)
        db.session.flush()
        audit.record("draft.written", draft, after={"text": text, "source": source})
        return draft
    before = draft.current_text
    draft.edited_body = None if text == draft.body else text
    draft.edited_by_id = user.id
    if draft.status == "failed":
        draft.status = "ready"  # staff wrote what the AI could not
    db.session.flush()
    audit.record("draft.edited", draft, before={"text": before}, after={"text": draft.current_text})
    return draft


def approve_and_send(
    draft: Draft,
    user: User,
    text: str | None = None,
    *,
    now: datetime | None = None,
    seen_message_id: int | None = None,
) -> Message:
    """Send the draft (with `text` as a last edit when given); only managers and owners call this."""
    lock(draft.conversation)
    db.session.refresh(draft)
    _require_open(draft)
    _refuse_if_answered_since(draft.conversation, seen_message_id)
    if draft.status == "generating":
        raise Conflict("The draft is still being written.")
    final = _clean(text if text is not None else draft.current_text)
    if final != draft.body:
        draft.edited_body = final
    message = outbound.queue_reply(draft.conversation, final, user=user, draft=draft, now=now)
    draft.status = "sent"
    draft.sent_body = final
    draft.decided_by_id = user.id
    draft.decided_at = now or utcnow()
    draft.edit_distance = Levenshtein.distance(draft.body.strip(), final.strip())
    draft.accepted_unchanged = draft.edit_distance == 0
    db.session.flush()
    audit.record(
        "draft.approved",
        draft,
        before={"draft": draft.body, "source": draft.source, "generator": draft.generator},
        after={"sent": final, "changed": not draft.accepted_unchanged, "edit_distance": draft.edit_distance},
    )
    return message


def reject(draft: Draft, user: User, reason: str = "") -> Draft:
    lock(draft.conversation)
    db.session.refresh(draft)
    _require_open(draft)
    draft.status = "rejected"
    draft.decided_by_id = user.id
    draft.decided_at = utcnow()
    draft.error = reason.strip()[:500] or None
    db.session.flush()
    audit.record("draft.rejected", draft, before={"draft": draft.current_text}, after={"reason": draft.error})
    return draft


def regenerate(conversation: Conversation, user: User) -> Draft:
    """A fresh AI draft for the latest customer message; the old one is kept as superseded."""
    lock(conversation)
    current = open_draft_of(conversation)
    if current is not None:
        if current.status == "generating":
            raise Conflict("A draft is already being written.")
        current.status = "superseded"
        db.session.flush()
    draft = new_ai_draft(conversation, queries.latest_inbound(conversation.id))
    outbox.emit(
        "conversations.generate_draft", key=f"generate-draft-{draft.id}", station_id=draft.station_id, draft_id=draft.id
    )
    audit.record("draft.regenerated", draft, after={"replaces": current.id if current else None})
    return draft
