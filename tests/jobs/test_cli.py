"""`flask worker`, `flask outbox-relay`: what they refuse and what they do (in-process)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs.outbox import emit
from app.models.outbox import OutboxMessage
from tests.jobs import worker_jobs  # noqa: F401 - registers the test.* jobs
from tests.jobs.conftest import queued_ids


def test_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


@pytest.mark.redis
def test_worker_refuses_unknown_queues(redis_app):
    result = redis_app.test_cli_runner().invoke(args=["worker", "nope", "--burst"])
    assert result.exit_code != 0
    assert "unknown queue(s): nope" in result.output


@pytest.mark.redis
def test_outbox_relay_command_hands_over_waiting_messages(redis_app, redis_server):
    with redis_app.app_context():
        message = emit("test.record", key="cli-1", tag="cli")
        db.session.commit()
        message_id = message.id
    result = redis_app.test_cli_runner().invoke(args=["outbox-relay"])
    assert result.exit_code == 0, result.output
    assert "dispatched 1 message(s)" in result.output
    assert queued_ids(redis_server, "default") == [f"outbox-{message_id}"]
    with redis_app.app_context():
        assert db.session.scalar(select(OutboxMessage.dispatched_at).where(OutboxMessage.id == message_id))
