"""The signed review link: good, expired, tampered, foreign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.notifications import review_links
from app.notifications.compose import unsubscribe_token


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_a_token_names_its_booking(ctx):
    assert review_links.booking_id_from(review_links.review_token(42)) == 42


def test_a_token_expires_after_the_configured_days(ctx, app, monkeypatch):
    start = datetime(2027, 3, 1, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        token = review_links.review_token(7)
    with time_machine.travel(start + timedelta(days=59), tick=False):
        assert review_links.booking_id_from(token) == 7
    with time_machine.travel(start + timedelta(days=61), tick=False), pytest.raises(review_links.LinkExpired):
        review_links.booking_id_from(token)
    monkeypatch.setitem(app.config, "REVIEW_LINK_MAX_AGE_DAYS", 90)
    with time_machine.travel(start + timedelta(days=61), tick=False):
        assert review_links.booking_id_from(token) == 7


def test_tampered_malformed_and_foreign_tokens_name_nothing(ctx):
    token = review_links.review_token(7)
    _, _, rest = token.partition(".")
    other = review_links.review_token(8).partition(".")[0]
    assert review_links.booking_id_from(f"{other}.{rest}") is None  # another booking's payload, this signature
    assert review_links.booking_id_from(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    for junk in ("", "x", "a" * 500, "é.é.é", unsubscribe_token(7)):
        assert review_links.booking_id_from(junk) is None


def test_a_token_from_a_clock_slightly_ahead_is_fresh_one_far_ahead_is_not(ctx):
    now = datetime.now(UTC)
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        ahead = review_links.review_token(9)
    with time_machine.travel(now + timedelta(days=2), tick=False):
        far_ahead = review_links.review_token(9)
    assert review_links.booking_id_from(ahead) == 9
    with pytest.raises(review_links.LinkExpired):
        review_links.booking_id_from(far_ahead)
