"""The classify-and-draft job: labels, escalation alerts, draft states, retries, keywords."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.ai.drafting import DraftResult
from app.extensions import db
from app.inbox import jobs
from app.inbox.inbound import Inbound, receive
from app.jobs.registry import TransientError
from app.models.conversation import Conversation, Draft, Message
from app.models.outbox import Notification, OutboxMessage
from app.models.station import Station


@pytest.fixture
def svc(app, world):
    with app.app_context():
        yield db.session.get(Station, world.station.id)


def _receive(station: Station, text: str, sid: str, **meta) -> Message:
    message, _ = receive(station, Inbound("sms", "+14045550177", text, provider_id=sid, meta=meta))
    db.session.commit()
    return message


def test_an_angry_message_is_escalated_and_each_manager_is_emailed_once(svc, world):
    message = _receive(svc, "This is unacceptable, my guests got sick after your food. I want a refund.", "SMang")
    assert jobs.process_inbound(message.id) == "ready"
    message = db.session.get(Message, message.id)
    assert message.escalate and message.escalation_reasons
    conversation = db.session.get(Conversation, message.conversation_id)
    assert conversation.escalated
    alert = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"escalation-{message.id}"))
    assert alert.job == "conversations.escalation_alert"

    from app.inbox.alerts import escalation_alert

    escalation_alert(message.id)
    escalation_alert(message.id)  # a retry writes and sends nothing more
    sent = db.session.scalars(select(Notification).where(Notification.kind == "conversation_escalated")).all()
    assert [n.recipient for n in sent] == [world.users["manager"].email]
    assert sent[0].status == "recorded" and "/s/alpha/inbox/" in sent[0].body_text and "sick" in sent[0].body_text
    draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
    assert "manager will follow up" in draft.body.lower() and "$" not in draft.body


def test_a_second_run_is_a_no_op(svc):
    message = _receive(svc, "How much for 20 guests?", "SMtwice")
    assert jobs.process_inbound(message.id) == "ready"
    assert jobs.process_inbound(message.id) == "skipped"
    assert len(db.session.scalars(select(Draft)).all()) == 1


def test_a_newer_message_supersedes_an_untouched_draft_but_not_a_staff_edit(svc):
    first = _receive(svc, "How much for 20 guests?", "SMa")
    jobs.process_inbound(first.id)
    second = _receive(svc, "Actually 25 guests", "SMb")
    jobs.process_inbound(second.id)
    drafts = {d.message_id: d for d in db.session.scalars(select(Draft))}
    assert drafts[first.id].status == "superseded" and drafts[second.id].status == "ready"
    drafts[second.id].edited_body = "Staff are writing this one"
    db.session.commit()
    third = _receive(svc, "and 2 kids", "SMc")
    assert jobs.process_inbound(third.id) == "classified"  # staff's edit is left alone
    assert db.session.get(Draft, drafts[second.id].id).status == "ready"


def test_keyword_messages_get_no_draft(svc):
    message = _receive(svc, "STOP", "SMstop", keyword="stop")
    assert jobs.process_inbound(message.id) == "keyword"
    assert db.session.scalar(select(Draft)) is None


def test_transient_failures_are_retried_then_the_draft_fails_with_the_reason(svc, monkeypatch):
    message = _receive(svc, "Price for 12?", "SMflaky")

    def timeout(request):
        raise TransientError("OpenAI timed out after 30 s")

    monkeypatch.setattr(jobs, "compose", timeout)
    for _ in range(jobs.MAX_DRAFT_ATTEMPTS - 1):
        with pytest.raises(TransientError):
            jobs.process_inbound(message.id)
    assert jobs.process_inbound(message.id) == "failed"
    draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
    assert draft.status == "failed" and "timed out" in draft.error and draft.attempts == jobs.MAX_DRAFT_ATTEMPTS

    monkeypatch.setattr(jobs, "compose", lambda request: DraftResult("late", "offline-templates-1"))
    assert jobs.generate_draft(draft.id) == "skipped"  # a failed draft is the manager's now


def test_a_label_correction_retrains_the_offline_classifier(svc, world):
    """Staff correct a label once; after the periodic retrain the classifier agrees with them."""
    from app.ai.jobs import refresh_offline_model
    from app.inbox import learning
    from app.models.user import User

    text = "zorblax quintuple fandango for the grill crew"  # words the training set never saw
    message = _receive(svc, text, "SModd")
    jobs.process_inbound(message.id)
    message = db.session.get(Message, message.id)
    wanted = "menu_dietary" if message.intent != "menu_dietary" else "payment"
    manager = db.session.get(User, world.users["manager"].id)
    assert learning.correct_labels(message, manager, intent=wanted, emotion="positive")
    db.session.commit()

    trained = refresh_offline_model()
    assert trained["corrections"] == 1
    result = jobs.classifier().classify(text, "sms")
    assert (result.intent, result.emotion) == (wanted, "positive")


def test_a_bug_in_the_drafter_fails_the_draft_instead_of_leaving_a_spinner(svc, monkeypatch):
    message = _receive(svc, "Price for 12?", "SMbug")

    def broken(request):
        raise KeyError("quote")

    monkeypatch.setattr(jobs, "compose", broken)
    assert jobs.process_inbound(message.id) == "failed"
    draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
    assert draft.status == "failed" and "quote" in draft.error


def test_a_draft_left_generating_by_a_dead_worker_expires(svc):
    from datetime import timedelta

    import time_machine

    message = _receive(svc, "Price for 12?", "SMdead")
    conversation = db.session.get(Conversation, message.conversation_id)
    draft = jobs.open_draft(conversation, message)
    db.session.commit()
    assert jobs.expire_stale_drafts() == 0
    with time_machine.travel(draft.updated_at + jobs.STALE_GENERATING + timedelta(minutes=1)):
        assert jobs.expire_stale_drafts() == 1
    assert db.session.get(Draft, draft.id).status == "failed"


def test_a_late_retry_for_an_older_message_leaves_the_newer_draft(svc):
    older = _receive(svc, "How much for 20 guests?", "SMold")
    newer = _receive(svc, "Actually 25 guests", "SMnew")
    assert jobs.process_inbound(newer.id) == "ready"
    assert jobs.process_inbound(older.id) == "classified"
    [draft] = db.session.scalars(select(Draft)).all()
    assert draft.message_id == newer.id and draft.status == "ready"


def test_a_reject_while_the_ai_writes_is_not_undone(svc, world, monkeypatch):
    from app.inbox import drafts
    from app.models.user import User

    message = _receive(svc, "Price for 12?", "SMrej")
    conversation = db.session.get(Conversation, message.conversation_id)
    draft = jobs.open_draft(conversation, message)
    db.session.commit()
    manager = db.session.get(User, world.users["manager"].id)

    def compose_while_rejected(request):
        drafts.reject(db.session.get(Draft, draft.id), manager, "writing it myself")
        db.session.commit()
        return DraftResult("late text", "offline-templates-1")

    monkeypatch.setattr(jobs, "compose", compose_while_rejected)
    assert jobs.generate_draft(draft.id) == "skipped"
    assert db.session.get(Draft, draft.id).status == "rejected"
