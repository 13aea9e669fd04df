"""Redis down is an outage of nothing important.

With Redis unreachable, rate limiting fails open (in-memory limits, logged and counted),
bookings are accepted with their confirmation kept in the outbox, sign-in works, /ready
names Redis. When Redis returns, every confirmation goes out exactly once. The shared
Redis is never touched: the committing test runs a redis-server of its own and kills it.
FAULT_BURST (default 12) sets how many bookings the burst makes (SECURITY.md has a bigger run).
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs.builtin import relay_outbox
from app.models.outbox import OutboxMessage
from tests.api.conftest import add_chef, booking_body
from tests.factories import PASSWORD
from tests.jobs.conftest import closed_redis_url, work_burst
from tests.notifications.conftest import smtp_server  # noqa: F401

API = "/api/v1"
BURST = int(os.environ.get("FAULT_BURST", "12"))
WRONG = "not the password at all"


def _limited_app(make_app, redis_url: str, **overrides):
    settings = {
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        # Budgets the burst fits in: the limits are on, they are not what is tested here.
        "API_RATELIMIT_BOOKINGS": "1000 per minute",
        "API_RATELIMIT_READ": "1000 per minute",
        "LOGIN_LIMIT_PER_IP": "1000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
    }
    return make_app(**{**settings, **overrides})


def _metric(app, name: str, **labels) -> float:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = rf"^{name}(?:\{{{wanted}\}})? (\S+)$" if wanted else rf"^{name} (\S+)$"
    return sum(float(v) for v in re.findall(pattern, text, re.MULTILINE))


def _day(n: int) -> str:
    return (date.today() + timedelta(days=14 + n)).isoformat()


def test_with_redis_unreachable_sign_in_reads_and_bookings_answer_and_the_fallback_is_counted(make_app, world, caplog):
    down = _limited_app(make_app, closed_redis_url())
    with down.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    client = down.test_client()
    caplog.set_level(logging.WARNING, logger="flask-limiter")

    assert client.get(f"{API}/stations").status_code == 200
    assert client.post_form("/login", {"email": "manager@example.com", "password": WRONG}).status_code == 401
    assert client.post_form("/login", {"email": "manager@example.com", "password": PASSWORD}).status_code == 302
    booking = down.test_client().post(f"{API}/bookings", json=booking_body())
    assert booking.status_code == 201, booking.get_json()

    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json["failing"] == ["redis"]
    assert client.get("/healthz").status_code == 200
    # Logged, and counted for alerting.
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
    assert _metric(down, "teppan_ratelimit_storage_errors_total", outcome="fallback") >= 1
    assert _metric(down, "teppan_ratelimit_fallback_requests_total") >= 3


def test_the_sign_in_limit_still_holds_in_memory_while_redis_is_down(make_app, world):
    down = _limited_app(make_app, closed_redis_url(), LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    client = down.test_client()
    for _ in range(3):
        assert client.post_form("/login", {"email": "staff@example.com", "password": WRONG}).status_code == 401
    assert client.post_form("/login", {"email": "staff@example.com", "password": PASSWORD}).status_code == 429


@pytest.mark.committing
def test_a_burst_while_redis_is_down_has_no_5xx_and_every_confirmation_goes_out_once(
    make_app,
    world,
    own_redis,
    smtp_server,  # noqa: F811
):
    app = _limited_app(
        make_app,
        own_redis.url,
        share_db=False,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        SMTP_STARTTLS=False,
        SMTP_USERNAME=None,
    )
    with app.app_context():
        for name in ("Kenji", "Hana"):
            add_chef(world.station.id, name)
        db.session.commit()

    # Redis up: a booking goes through the queue as usual.
    first = app.test_client().post(f"{API}/bookings", json=booking_body(event_date=_day(0)))
    assert first.status_code == 201
    work_burst(app)
    references = [first.get_json()["reference"]]

    own_redis.kill()
    statuses: Counter[int] = Counter()
    burst = app.test_client()
    for n in range(1, BURST + 1):
        response = app.test_client().post(
            f"{API}/bookings",
            json=booking_body(
                event_date=_day(n),
                customer={"name": f"Guest {n}", "email": f"guest{n}@example.com", "phone": f"+1404555{2000 + n}"},
            ),
        )
        statuses[response.status_code] += 1
        if response.status_code == 201:
            references.append(response.get_json()["reference"])
        who = ("manager@example.com", "staff@example.com")[n % 2]
        statuses[burst.post_form("/login", {"email": who, "password": WRONG}).status_code] += 1
        signed_in = app.test_client().post_form("/login", {"email": who, "password": PASSWORD})
        statuses[signed_in.status_code] += 1
        statuses[burst.get(f"{API}/stations").status_code] += 1
    assert not [code for code in statuses if code >= 500], statuses
    assert statuses[201] == BURST and statuses[302] == BURST and statuses[401] == BURST and statuses[200] == BURST
    assert app.test_client().get("/ready").json["failing"] == ["redis"]
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))).all()
        assert len(waiting) == BURST  # one "booking created" message per booking, kept for later

    # Redis is back (empty: no persistence): the periodic relay hands the messages over, a worker sends.
    own_redis.start()
    with app.app_context():
        assert relay_outbox() == BURST
    work_burst(app)
    with app.app_context():
        assert relay_outbox() == 0  # a second relay (another scheduler tick) finds nothing
    work_burst(app)

    sent = Counter(m["Subject"] for m in smtp_server.messages)
    for reference in references:
        customer = [s for s in sent if s.startswith(f"Booking {reference} received")]
        staff = [s for s in sent if s.startswith(f"New booking {reference}")]
        assert len(customer) == 1 and sent[customer[0]] == 1, (reference, sent)
        assert len(staff) == 1 and sent[staff[0]] == 1, (reference, sent)
    assert len(smtp_server.messages) == 2 * len(references)
    assert app.test_client().get("/ready").status_code == 200
