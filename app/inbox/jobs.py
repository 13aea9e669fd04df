"""Conversation jobs: classify an inbound message and draft a reply; send an approved reply.

`conversations.process_inbound(message_id)` (ai queue), once per inbound message:
1. classify (skipped when the message already has labels: a re-run is a no-op),
   copy the labels onto the conversation, alert the managers when escalated;
2. open a draft row (`generating`) unless staff are already working on one;
3. generate it (`generate_draft`): DraftResult stored, status `ready`.

The database transaction is committed before the classifier or the drafter may call
OpenAI, so no connection sits idle in a transaction during a network call. Transient
failures (OpenAI timeouts, 5xx) are retried by RQ; after MAX_DRAFT_ATTEMPTS the draft
is marked `failed` with the reason and the manager writes by hand.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app.ai.drafting import DraftRequest, DraftUnavailable, ThreadLine, compose
from app.extensions import db
from app.inbox import drafts, learning, queries
from app.jobs.registry import is_transient, job
from app.models.base import utcnow
from app.models.conversation import Conversation, Draft, Message

log = logging.getLogger(__name__)

MAX_DRAFT_ATTEMPTS = 4  # the first try and RQ's 3 retries
# Longer than every attempt's timeout and backoff: a draft still generating then has no job left.
STALE_GENERATING = timedelta(minutes=30)
THREAD_CONTEXT = 8  # recent messages given to the drafter


def classifier():
    from app.ai.classifier import corrections_source, get_classifier

    cache_dir = current_app.config.get("AI_MODEL_CACHE_DIR") or Path(current_app.instance_path) / "ai"
    return get_classifier(current_app.config, corrections_source=corrections_source(), cache_dir=cache_dir)


def classify_message(message_id: int) -> Message | None:
    """Label an inbound message once; copy the labels onto its conversation."""
    message = db.session.get(Message, message_id)
    if message is None or message.direction != "in":
        return None
    if message.classifier is None:
        # The classifier knows the messaging channels; a review is plain text to it.
        text, channel = message.body, (None if message.channel == "review" else message.channel)
        db.session.commit()  # no transaction open while OpenAI may be called
        result = classifier().classify(text or "", channel)
        message = db.session.get(Message, message_id)
        message.intent = result.intent
        message.emotion = result.emotion
        message.language = result.language
        message.escalate = result.escalate
        message.escalation_reasons = list(result.escalation_reasons)
        message.confidence = result.confidence
        message.classifier = result.classifier[:40]
        if result.flags:  # e.g. "injection": shown on the page, never escalated by itself
            message.meta = {**(message.meta or {}), "ai_flags": list(result.flags)}
        learning.mirror_labels(message)
        conversation = message.conversation
        if result.escalate and not conversation.escalated:
            conversation.escalated = True
            from app.inbox import alerts

            alerts.escalated(conversation, message)
        db.session.commit()
    return message


def open_draft(conversation: Conversation, message: Message | None) -> Draft | None:
    """A new `generating` draft for the conversation; None when staff already edit one.

    An untouched open draft (ready or failed, no staff edit) answers an older message:
    it is superseded by the new one.
    """
    drafts.lock(conversation)
    current = drafts.open_draft_of(conversation)
    if current is not None:
        if current.edited_body is not None or current.status == "generating":
            return None
        current.status = "superseded"
        db.session.flush()
    return drafts.new_ai_draft(conversation, message)


def _request_for(draft: Draft) -> DraftRequest:
    conversation = draft.conversation
    message = draft.message
    recent = db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(THREAD_CONTEXT)
    ).all()
    # The customer's name, or the name the channel gave; never a lead's placeholder name
    # (a phone number or "Web chat visitor"), which would make "Hi +14045550123!".
    customer_name = conversation.customer.name if conversation.customer is not None else conversation.contact_name
    return DraftRequest(
        station_id=conversation.station_id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        inbound_text=message.body if message else (recent[0].body if recent else ""),
        intent=draft.intent,
        emotion=message.emotion if message else conversation.emotion,
        language=draft.language,
        escalate=bool(message.escalate) if message else conversation.escalated,
        customer_name=customer_name or "",
        thread=tuple(ThreadLine(m.direction, m.body, m.created_at) for m in reversed(recent)),
        message_id=message.id if message else None,
        received_at=message.created_at if message else None,
        customer_id=conversation.customer_id,
        contact=conversation.contact,
    )


def _fail(draft_id: int, reason: str) -> None:
    db.session.rollback()
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        return
    drafts.lock(draft.conversation)
    db.session.refresh(draft)
    if draft.status == "generating":
        draft.status = "failed"
        draft.error = reason[:2000]
        db.session.commit()


@job("conversations.generate_draft", queue="ai", retries=MAX_DRAFT_ATTEMPTS - 1, timeout=180)
def generate_draft(draft_id: int) -> str:
    """Write the text of a `generating` draft; a draft in any other state is left alone."""
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.status != "generating":
        return "skipped"
    draft.attempts = (draft.attempts or 0) + 1
    attempts = draft.attempts
    request = _request_for(draft)
    db.session.commit()  # nothing held open during the model's calls
    try:
        result = compose(request)
    except DraftUnavailable as exc:
        _fail(draft_id, str(exc))
        return "failed"
    except Exception as exc:
        if is_transient(exc) and attempts < MAX_DRAFT_ATTEMPTS:
            raise  # RQ retries with backoff
        # Out of retries, or a bug: the manager writes by hand rather than wait on a spinner.
        if not is_transient(exc):
            log.exception("draft %s could not be written", draft_id)
        _fail(draft_id, f"Gave up after {attempts} attempt(s): {exc or type(exc).__name__}")
        return "failed"
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        return "skipped"
    drafts.lock(draft.conversation)  # a manager's reject or regenerate meanwhile wins
    db.session.refresh(draft)
    if draft.status != "generating":
        return "skipped"
    draft.body = result.body
    draft.generator = result.generator[:60]
    draft.grounding = result.grounding
    draft.prompt_tokens += result.prompt_tokens
    draft.completion_tokens += result.completion_tokens
    draft.cost_microdollars += result.cost_microdollars
    draft.generated_at = utcnow()
    draft.error = None
    draft.status = "ready"
    db.session.commit()
    return "ready"


@job("conversations.expire_stale_drafts", queue="periodic", retries=0)
def expire_stale_drafts() -> int:
    """Drafts left `generating` by a killed worker become `failed`, so the manager can write."""
    cutoff = utcnow() - STALE_GENERATING
    stale = db.session.execute(
        update(Draft)
        .where(Draft.status == "generating", Draft.updated_at < cutoff)
        .values(status="failed", error="The draft job did not finish (the worker stopped); write the reply by hand.")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return stale


@job("conversations.process_inbound", queue="ai", retries=MAX_DRAFT_ATTEMPTS - 1, timeout=240)
def process_inbound(message_id: int) -> str:
    """Classify the message, then draft a reply to it."""
    keyword_message = db.session.get(Message, message_id)
    if keyword_message is not None and (keyword_message.meta or {}).get("keyword"):
        return "keyword"  # STOP / START / HELP: answered by the SMS webhook, nothing to draft
    message = classify_message(message_id)
    if message is None:
        return "skipped"
    draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
    if draft is None:
        if queries.latest_inbound(message.conversation_id) is not message:
            return "classified"  # a late retry for an older message: the newer one's draft stands
        draft = open_draft(message.conversation, message)
        db.session.commit()
        if draft is None:
            return "classified"  # staff are writing this reply themselves
    return generate_draft(draft.id)
