"""A worker killed in the middle of a batch strands at most one chunk, never the whole batch."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.newsletter import CampaignRecipient
from app.newsletter import sending
from app.notifications import backends
from tests.newsletter.conftest import add_subscribers, campaign


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler in the batch catches it."""


def test_a_kill_mid_batch_leaves_at_most_one_chunk_in_sending(svc, monkeypatch):
    add_subscribers(svc, 200)
    row = campaign(svc)
    sending.start(row)
    db.session.commit()
    sent = 0
    real_send = backends.RecordedBackend.send

    def send_then_die(self, message):
        nonlocal sent
        sent += 1
        if sent == 70:  # in the second chunk of 50
            raise Killed
        return real_send(self, message)

    monkeypatch.setattr(backends.RecordedBackend, "send", send_then_die)
    with pytest.raises(Killed):
        sending.send_batch(row.id, chain=False)
    db.session.rollback()
    counts = dict(
        db.session.execute(
            select(CampaignRecipient.status, func.count())
            .where(CampaignRecipient.campaign_id == row.id)
            .group_by(CampaignRecipient.status)
        ).all()
    )
    assert counts["sent"] == 50  # the first chunk's outcomes were committed
    assert counts["sending"] <= sending.FLUSH_EVERY  # the chunk in flight: outcome unknown, never resent
    assert counts["pending"] == 200 - 50 - counts["sending"]  # the rest waits for the next batch
