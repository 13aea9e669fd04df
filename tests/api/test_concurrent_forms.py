"""A form submitted several times at once (double clicks, retries): one row, never a 500."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.lead import Lead
from app.models.newsletter import Subscriber
from tests.factories import StationFactory

COPIES = 6


def _post_together(app, url: str, body: dict) -> list[int]:
    barrier = threading.Barrier(COPIES)

    def post(_):
        client = app.test_client()
        barrier.wait(timeout=30)
        return client.post(url, json=body).status_code

    with ThreadPoolExecutor(max_workers=COPIES) as pool:
        return sorted(pool.map(post, range(COPIES)))


@pytest.mark.committing
def test_a_newsletter_sign_up_sent_six_times_at_once_makes_one_subscriber(app):
    with app.app_context():
        StationFactory(slug="race", name="Race", zip_code="30313")
        db.session.commit()
    body = {
        "station": "race",
        "email": "twice@example.com",
        "phone": "+14045550177",
        "sms_consent": True,
        "sms_consent_text": "Text me offers.",
    }
    codes = _post_together(app, "/api/v1/newsletter/subscriptions", body)
    assert all(code < 500 for code in codes), codes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1


@pytest.mark.committing
def test_a_quote_request_sent_six_times_at_once_makes_one_lead(app):
    with app.app_context():
        StationFactory(slug="race", name="Race", zip_code="30313")
        db.session.commit()
    body = {"kind": "quote_request", "station": "race", "name": "Ada", "email": "ada@example.com", "guests": 12}
    codes = _post_together(app, "/api/v1/leads", body)
    assert all(code < 500 for code in codes), codes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
