"""POST /api/v1/newsletter/subscriptions, the double opt-in link and bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.models.newsletter import Subscriber, SubscriptionConsent
from app.models.outbox import Notification
from tests.newsletter.conftest import CONSENT_EMAIL, CONSENT_SMS

URL = "/api/v1/newsletter/subscriptions"


def body(**overrides):
    data = {
        "station": "alpha",
        "email": "Grace@Example.com",
        "name": "Grace Hopper",
        "email_consent": True,
        "email_consent_text": CONSENT_EMAIL,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(app, data, **kwargs):
    return app.test_client().post(URL, json=data, environ_base={"REMOTE_ADDR": "198.51.100.4"}, **kwargs)


def subscriber_of(dbq, email="grace@example.com") -> Subscriber:
    return dbq.scalar(select(Subscriber).where(Subscriber.email == email))


def ledger_of(dbq, subscriber_id: int) -> list[tuple]:
    rows = dbq.scalars(
        select(SubscriptionConsent)
        .where(SubscriptionConsent.subscriber_id == subscriber_id)
        .order_by(SubscriptionConsent.id)
    )
    return [(r.channel, r.granted, r.source, r.ip_address) for r in rows]


def confirm_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/]+(/n/confirm/\S+)", text).group(1)


def test_email_sign_up_is_pending_until_the_emailed_link_is_confirmed(app, world, smtp, dbq):
    response = post(app, body())
    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"email": "confirmation_sent", "sms": "not_requested"}
    grace = subscriber_of(dbq)
    assert (grace.email_status, grace.sms_status, grace.name) == ("pending", "unsubscribed", "Grace Hopper")
    assert ledger_of(dbq, grace.id) == [("email", True, "api.subscribe", "198.51.100.4")]

    # The confirmation went out over SMTP, once, as a notification row.
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "grace@example.com"
    assert "Confirm" in message["Subject"]
    assert dbq.count(Notification, Notification.kind == "newsletter_confirm", Notification.status == "sent") == 1

    client = app.test_client()
    path = confirm_path(message)
    page = client.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200
    assert b"Yes, subscribe me" in page.data and b'<form method="post"' in page.data
    assert subscriber_of(dbq).email_status == "pending"

    done = client.post(path, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert done.status_code == 200 and b"You are subscribed" in done.data
    grace = subscriber_of(dbq)
    assert grace.email_status == "subscribed" and grace.confirmed_at is not None
    assert ledger_of(dbq, grace.id)[-1] == ("email", True, "email.confirm", "203.0.113.9")
    confirm_row = dbq.scalars(select(SubscriptionConsent).where(SubscriptionConsent.source == "email.confirm"))[0]
    assert CONSENT_EMAIL in confirm_row.text

    assert client.post(path).status_code == 200  # a second POST changes nothing
    assert len(ledger_of(dbq, grace.id)) == 2


def test_a_confirm_link_with_a_bad_token_is_404(app, world):
    client = app.test_client()
    assert client.get("/n/confirm/not-a-token").status_code == 404
    assert client.post("/n/confirm/not-a-token").status_code == 404


def test_sms_consent_subscribes_at_once_with_its_ledger_row(app, world, dbq):
    response = post(
        app,
        body(
            email=None,
            email_consent=None,
            email_consent_text=None,
            phone="(404) 555-0142",
            sms_consent=True,
            sms_consent_text=CONSENT_SMS,
        ),
    )
    assert response.status_code == 202
    assert response.get_json() == {"email": "not_requested", "sms": "subscribed"}
    row = dbq.scalar(select(Subscriber).where(Subscriber.phone == "+14045550142"))
    assert (row.sms_status, row.email_status) == ("subscribed", "unsubscribed")
    consent = dbq.scalars(select(SubscriptionConsent).where(SubscriptionConsent.subscriber_id == row.id))
    assert [(c.channel, c.granted, c.text, c.source, c.ip_address) for c in consent] == [
        ("sms", True, CONSENT_SMS, "api.subscribe", "198.51.100.4")
    ]


def test_signing_up_again_updates_the_subscriber(app, world, dbq):
    assert post(app, body(tags=["birthday"])).status_code == 202
    again = body(
        name="Grace B. Hopper", tags=["corporate"], phone="4045550142", sms_consent=True, sms_consent_text=CONSENT_SMS
    )
    assert post(app, again).status_code == 202
    assert dbq.count(Subscriber) == 1
    grace = subscriber_of(dbq)
    assert grace.name == "Grace B. Hopper"
    assert grace.tags == ["birthday", "corporate"]
    assert (grace.phone, grace.sms_status, grace.email_status) == ("+14045550142", "subscribed", "pending")
    # Still unconfirmed, but the first confirmation email is minutes old: no second one yet.
    assert dbq.count(Notification, Notification.kind == "newsletter_confirm") == 1
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11)):
        assert post(app, body()).status_code == 202
    assert dbq.count(Notification, Notification.kind == "newsletter_confirm") == 2


BAD = [
    ("station", {"station": "nowhere"}, 404),
    ("station", {"station": "Not A Slug!"}, 422),
    ("station", {"station": None}, 422),
    ("email", {"email": "not-an-email"}, 422),
    ("email", {"email": 42}, 422),
    ("email", {"email": None}, 422),  # email_consent without an email
    ("phone", {"phone": "12"}, 422),
    ("phone", {"phone": ["+14045550142"]}, 422),
    ("name", {"name": "x" * 121}, 422),
    ("name", {"name": 7}, 422),
    ("email_consent", {"email_consent": "yes"}, 422),
    ("email_consent", {"email_consent": False}, 422),  # no consent at all
    ("email_consent_text", {"email_consent_text": None}, 422),
    ("email_consent_text", {"email_consent_text": ""}, 422),
    ("email_consent_text", {"email_consent_text": "x" * 1001}, 422),
    ("sms_consent", {"sms_consent": 1}, 422),
    ("sms_consent", {"sms_consent": True, "sms_consent_text": CONSENT_SMS}, 422),  # no phone
    ("sms_consent_text", {"phone": "4045550142", "sms_consent": True}, 422),
    ("tags", {"tags": "birthday"}, 422),
    ("tags", {"tags": ["Has Spaces"]}, 422),
    ("tags", {"tags": [f"t{n}" for n in range(21)]}, 422),
    ("extra", {"surprise": True}, 422),
    ("text", {"name": "a\u0000b"}, 422),
]


@pytest.mark.parametrize(("field", "change", "status"), BAD, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD)])
def test_bad_input_is_refused_and_writes_nothing(app, world, dbq, field, change, status):
    data = body()
    for key, value in change.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    response = post(app, data)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert dbq.count(Subscriber) == 0
    assert dbq.count(SubscriptionConsent) == 0
    assert dbq.count(Notification) == 0


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"", 400), (b"{", 400), (b"[]", 400), (b"x" * 70_000, 413)],
    ids=["empty", "malformed", "array", "huge"],
)
def test_bodies_that_are_not_a_json_object_are_4xx(app, world, dbq, raw, status):
    response = app.test_client().post(URL, data=raw, content_type="application/json")
    assert response.status_code == status
    assert dbq.count(Subscriber) == 0


def test_sign_ups_are_rate_limited_per_ip(app, world, make_app, dbq):
    limited = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", API_RATELIMIT_NEWSLETTER="2 per minute"
    )
    client = limited.test_client()
    answers = [client.post(URL, json=body(email=f"p{n}@example.com")).status_code for n in range(3)]
    assert answers == [202, 202, 429]
    assert dbq.scalar(select(func.count()).select_from(Subscriber)) == 2
