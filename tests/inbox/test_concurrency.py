"""A reply goes out once even when managers press "Approve & send" at the same moment.

Real threads, each with its own connection to PostgreSQL: the conversation row lock
makes the second approval wait, then find the draft sent and be refused.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.inbox import outbound
from app.models.conversation import Draft, Message
from tests.factories import build_world
from tests.inbox.helpers import ai_draft, inbound
from tests.support import new_client

APPROVALS = 8


@pytest.mark.committing
def test_concurrent_approvals_send_one_reply(app, monkeypatch):
    with app.app_context():
        world = build_world()
        message = inbound(world.station.id, "Price for 12?", contact="race-token")
        draft = ai_draft(message, "12 guests come to $660.00.")
        db.session.commit()
        conversation_id, draft_id = message.conversation_id, draft.id
        managers = [world.users["manager"].email, world.users["owner"].email]

    # Widen the race: every approval lingers between its checks and its commit.
    queue_reply = outbound.queue_reply

    def slow_queue_reply(*args, **kwargs):
        message = queue_reply(*args, **kwargs)
        time.sleep(0.2)
        return message

    monkeypatch.setattr(outbound, "queue_reply", slow_queue_reply)
    barrier = threading.Barrier(APPROVALS)

    def approve(n: int) -> int:
        client = new_client(app, managers[n % 2])
        url = f"/s/alpha/inbox/{conversation_id}/draft/send"
        # Unchanged: no edit is written before the checks, so nothing else serialises them.
        data = {"text": "12 guests come to $660.00.", "draft_id": draft_id}
        barrier.wait(timeout=30)
        return client.htmx("post", url, data=data).status_code

    with ThreadPoolExecutor(max_workers=APPROVALS) as pool:
        codes = sorted(pool.map(approve, range(APPROVALS)))

    assert codes.count(200) == 1 and codes.count(409) + codes.count(422) == APPROVALS - 1, codes
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Message.direction == "out")) == 1
        assert db.session.get(Draft, draft_id).status == "sent"
