"""Through requests: a booking posted to the API sends after its commit, the Sent
messages page shows every message, the unsubscribe page."""

from __future__ import annotations

from sqlalchemy import select, update

from app.extensions import db
from app.mail import queue_email
from app.models.customer import Customer
from app.models.outbox import Notification
from app.models.user import User
from app.notifications.compose import unsubscribe_token
from tests.api.conftest import booking_body
from tests.notifications.helpers import CONSENT_BOTH


def test_a_booking_posted_to_the_api_is_announced_after_its_commit(client, kitchen, dbq, smtp, twilio):
    response = client.post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201, response.get_json()
    # No REDIS_URL: the job ran inline right after the request's commit.
    sent = dbq.scalars(select(Notification).order_by(Notification.id))
    assert {(n.kind, n.channel, n.status) for n in sent} == {
        ("booking_received", "email", "sent"),
        ("booking_received", "sms", "sent"),
        ("staff_new_booking", "email", "sent"),
    }
    assert sorted(m["To"] for m in smtp.messages) == ["ada@example.com", "manager@example.com"]
    assert [s["To"] for s in twilio.sent] == ["+14045550142"]
    reference = response.get_json()["reference"]
    assert any(reference in m["Subject"] for m in smtp.messages)


def test_a_refused_booking_sends_nothing(client, kitchen, dbq, smtp):
    response = client.post("/api/v1/bookings", json=booking_body(slot="13:00"))
    assert response.status_code == 422
    assert dbq.count(Notification) == 0 and smtp.messages == []


def _seed_messages(app) -> None:
    """Notifications in every state, plus an account email."""
    assert app.test_client().post("/api/v1/bookings", json=booking_body()).status_code == 201

    def row(**where) -> Notification:
        return db.session.scalar(select(Notification).filter_by(**where))

    with app.test_request_context():
        sms = row(channel="sms")
        sms.status, sms.delivery_status = "sent", "delivered"
        staff = row(kind="staff_new_booking")
        staff.status, staff.error = "sending", "outcome unknown, to be checked and retried: timed out"
        email = row(kind="booking_received", channel="email")
        email.status, email.reason = "suppressed", "no email marketing consent"
        user = db.session.scalar(select(User).where(User.email == "chef@example.com"))
        queue_email(
            to=user.email,
            template="password_reset",
            kind="password_reset",
            user=user,
            reset_url="http://localhost/password/reset/x",
            max_age_minutes=60,
        )
        db.session.commit()
    relay_with(app)  # the account email goes out: recorded (no SMTP here)


def relay_with(app) -> None:
    from app.jobs.outbox import relay

    with app.app_context():
        relay()


def test_the_sent_messages_page_shows_every_message_in_its_true_state(app, kitchen, as_role):
    _seed_messages(app)
    owner = as_role("owner")
    html = owner.get("/admin/messages").get_data(as_text=True)
    assert "+14045550142" in html and ">delivered</span>" in html
    assert "sending, being checked" in html  # the claim a dead worker left: checked, then retried
    assert "no email marketing consent" in html and ">not sent</span>" in html
    assert "chef@example.com" in html and "password reset" in html  # account email, same list
    assert "recorded, not sent" in html  # no provider configured: never called "sent"

    only_sms = owner.get("/admin/messages?channel=sms").get_data(as_text=True)
    assert "+14045550142" in only_sms and "chef@example.com" not in only_sms
    suppressed = owner.get("/admin/messages?status=suppressed").get_data(as_text=True)
    assert "no email marketing consent" in suppressed and "+14045550142" not in suppressed
    recorded = owner.get("/admin/messages?status=recorded").get_data(as_text=True)
    assert "chef@example.com" in recorded and "+14045550142" not in recorded
    assert as_role("manager").get("/admin/messages").status_code == 403


def test_the_sent_messages_page_paginates(app, kitchen, as_role):
    with app.app_context():
        for n in range(30):
            db.session.add(
                Notification(key=f"test:{n}", kind="test", channel="sms", recipient=f"+1404555{n:04d}", body_text="hi")
            )
        db.session.commit()
        db.session.execute(update(Notification).values(status="recorded", backend="recorded"))
        db.session.commit()
    owner = as_role("owner")
    first = owner.get("/admin/messages").get_data(as_text=True)
    assert "Page 1 of 2 · 30 in all" in first
    assert "Page 2 of 2" in owner.get("/admin/messages?page=2").get_data(as_text=True)


def test_unsubscribe_needs_a_button_press_and_a_valid_token(app, client, kitchen):
    assert client.post("/api/v1/bookings", json=booking_body(consent=CONSENT_BOTH)).status_code == 201
    with app.test_request_context():
        customer_id = db.session.scalar(select(Customer.id))
        token = unsubscribe_token(customer_id)

    def customer() -> Customer:
        with app.app_context():
            found = db.session.get(Customer, customer_id)
            found.consents  # noqa: B018 - loaded while the session is open
            return found

    page = client.get(f"/webhooks/email/unsubscribe/{token}")
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    assert customer().email_consent is True  # a GET (a link scanner) changes nothing
    assert client.post(f"/webhooks/email/unsubscribe/{token}").status_code == 200
    assert client.post(f"/webhooks/email/unsubscribe/{token}").status_code == 200  # twice: fine
    assert customer().email_consent is False
    assert [c.source for c in customer().consents].count("email.unsubscribe") == 1
    assert client.get("/webhooks/email/unsubscribe/forged-token").status_code == 404
    assert client.post("/webhooks/email/unsubscribe/forged-token").status_code == 404


def _notification(station_id, n: int, status: str, **fields) -> Notification:
    values = {"kind": "test", "channel": "sms", "recipient": f"+1404555{n:04d}", "body_text": "hi"}
    return Notification(key=f"station-page:{n}", station_id=station_id, status=status, **(values | fields))


def test_managers_see_their_stations_sent_messages_with_sent_and_recorded_apart(app, world, as_role):
    with app.app_context():
        db.session.add_all(
            [
                _notification(world.station.id, 1, "sent", backend="twilio", provider_id="SM1"),
                _notification(world.station.id, 2, "recorded", backend="recorded"),
                _notification(world.station.id, 3, "recorded", backend="recorded"),
                _notification(world.other.id, 4, "sent", backend="twilio", provider_id="SM4"),
            ]
        )
        db.session.commit()

    html = as_role("manager").get("/s/alpha/messages/").get_data(as_text=True)

    assert "+14045550001" in html and "+14045550002" in html
    assert "+14045550004" not in html  # beta's
    assert '<span data-count="sent"><strong>1</strong> sent</span>' in html
    assert '<span data-count="recorded"><strong>2</strong> recorded (no provider)</span>' in html
    assert html.count(">recorded, not sent</span>") == 2 and html.count('badge-ok">sent</span>') == 1
    assert 'href="/s/alpha/messages/"' in html  # in the manager's navigation
    recorded = as_role("manager").get("/s/alpha/messages/?status=recorded").get_data(as_text=True)
    assert "+14045550001" not in recorded and "+14045550002" in recorded


def test_the_station_sent_messages_page_is_for_managers_of_that_station(as_role, world):
    assert as_role("staff").get("/s/alpha/messages/").status_code == 403
    assert as_role("chef").get("/s/alpha/messages/").status_code == 403
    assert as_role("other_manager").get("/s/alpha/messages/").status_code == 404
    assert as_role("owner").get("/s/alpha/messages/").status_code == 200
