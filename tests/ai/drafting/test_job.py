"""The conversations job stores what the composer wrote (offline here: the testing config has no key)."""

from __future__ import annotations

from app.ai.drafting.offline import GENERATOR
from app.extensions import db
from app.inbox.inbound import Inbound, receive
from app.inbox.jobs import generate_draft, open_draft
from app.models.conversation import Draft


def test_generate_draft_stores_a_grounded_offline_draft(alpha):
    message, _ = receive(
        alpha, Inbound("email", "ana@example.com", "Hola, ¿cuánto cuesta para 15 personas?", contact_name="Ana Ruiz")
    )
    message.intent, message.language, message.emotion = "quote_request", "es", "neutral"
    draft = open_draft(message.conversation, message)
    db.session.commit()

    assert generate_draft(draft.id) == "ready"
    stored = db.session.get(Draft, draft.id)
    assert stored.generator == GENERATOR
    assert stored.body.startswith("Hola Ana:\n\nPara 15 personas, el total es $825.00.")
    assert stored.body.endswith("— Equipo de Alpha\n(404) 555-0100")
    assert stored.grounding["quote"]["total_cents"] == 82500 and stored.grounding["facts"]["guests"] == 15
    assert stored.cost_microdollars == 0


def test_openai_down_gives_an_offline_draft_in_the_same_job(app, alpha, monkeypatch):
    for key, value in {
        "OPENAI_API_KEY": "test",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_TIMEOUT_SECONDS": 2,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    message, _ = receive(alpha, Inbound("sms", "+14045550123", "How much for 12 people?", contact_name="Ana Ruiz"))
    message.intent, message.language, message.emotion = "quote_request", "en", "neutral"
    draft = open_draft(message.conversation, message)
    db.session.commit()

    assert generate_draft(draft.id) == "ready"  # no retry needed: the offline drafter took over
    stored = db.session.get(Draft, draft.id)
    assert stored.generator == GENERATOR and "$660.00" in stored.body and stored.attempts == 1
    assert stored.grounding["fallback"].startswith("OpenAI unreachable")
