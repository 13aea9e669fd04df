"""Password change (ends other sessions) and password reset by emailed link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

import config as teppan_config
from app.auth import passwords
from app.auth.passwords import hash_password, password_problem, verify_password
from app.auth.services import make_reset_token
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.outbox import Notification
from app.models.user import User
from tests.factories import PASSWORD
from tests.support import flashes, new_client

NEW_PASSWORD = "a brand new passphrase"


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post_form("/account", {"current": current, "password": new, "confirm": confirm or new})


# --- hashing --------------------------------------------------------------------------


def test_passwords_are_argon2id_and_verify():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")
    assert not verify_password("not a hash", "anything")


def test_weak_passwords_are_named():
    assert password_problem("short") == "Use at least 10 characters."
    assert password_problem("Password123") == "That password is too common."
    assert password_problem("a long enough one") is None


# --- change ---------------------------------------------------------------------------


def test_password_change_signs_out_other_sessions(app, world, dbq):
    first = new_client(app, "manager@example.com")
    second = new_client(app, "manager@example.com")
    assert second.get("/s/alpha/").status_code == 200
    token_before = dbq.get(User, world.users["manager"].id).session_token

    response = change_password(first)
    assert response.status_code == 302
    assert response.location == "/account"

    user = dbq.get(User, world.users["manager"].id)
    assert user.session_token != token_before
    assert verify_password(user.password_hash, NEW_PASSWORD)
    # This browser stays in; the other one is out.
    assert first.get("/s/alpha/").status_code == 200
    out = second.get("/s/alpha/")
    assert out.status_code == 302
    assert out.location.startswith("/login")
    assert dbq.count(AuditEntry, AuditEntry.action == "user.password_changed", AuditEntry.actor_id == user.id) == 1
    # The new password signs in, the old one no longer does.
    assert (
        new_client(app).post_form("/login", {"email": "manager@example.com", "password": NEW_PASSWORD}).status_code
        == 302
    )
    assert (
        new_client(app).post_form("/login", {"email": "manager@example.com", "password": PASSWORD}).status_code == 401
    )


def test_password_change_needs_the_current_password(as_role, world, dbq):
    client = as_role("staff")
    before = dbq.get(User, world.users["staff"].id)
    response = change_password(client, current="not my password")
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)
    after = dbq.get(User, world.users["staff"].id)
    assert (after.password_hash, after.session_token) == (before.password_hash, before.session_token)


def test_password_change_refuses_weak_or_mismatched(as_role, world, dbq):
    client = as_role("staff")
    before = dbq.get(User, world.users["staff"].id).password_hash
    assert change_password(client, new="short").status_code == 400
    assert change_password(client, confirm="something else entirely").status_code == 400
    assert dbq.get(User, world.users["staff"].id).password_hash == before


# --- reset ----------------------------------------------------------------------------


def reset_link(dbq, email: str) -> str:
    message = dbq.scalar(
        select(Notification)
        .where(Notification.recipient == email, Notification.kind == "password_reset")
        .order_by(Notification.id.desc())
    )
    assert message is not None, f"no reset email to {email}"
    match = re.search(r"http://localhost(/password/reset/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_reset_records_an_email_and_the_link_works_once(app, client, world, dbq):
    response = client.post_form("/password/forgot", {"email": "Chef@Example.com"})
    assert response.status_code == 302
    assert response.location == "/login"

    message = dbq.scalar(select(Notification).where(Notification.recipient == "chef@example.com"))
    assert message.status == "recorded"
    assert message.kind == "password_reset"
    assert message.sent_at is not None
    link = reset_link(dbq, "chef@example.com")
    assert link in (message.body_html or "")

    # A second browser, signed in as the chef, is signed out by the reset.
    other = new_client(app, "chef@example.com")

    assert client.get(link).status_code == 200
    done = client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.location == "/login"
    assert verify_password(dbq.get(User, world.users["chef"].id).password_hash, NEW_PASSWORD)
    assert other.get("/s/alpha/").status_code == 302
    assert dbq.count(AuditEntry, AuditEntry.action == "user.password_reset") == 1

    # Used once: the same link is refused now.
    again = client.get(link)
    assert again.status_code == 302
    assert again.location == "/password/forgot"
    assert any("already been used" in message for _, message in flashes(client))
    reused = client.post_form(link, {"password": "yet another passphrase", "confirm": "yet another passphrase"})
    assert reused.status_code == 302
    assert verify_password(dbq.get(User, world.users["chef"].id).password_hash, NEW_PASSWORD)


def test_reset_refuses_a_weak_password_and_keeps_the_old_one(client, world, dbq):
    client.post_form("/password/forgot", {"email": "chef@example.com"})
    link = reset_link(dbq, "chef@example.com")
    response = client.post_form(link, {"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert verify_password(dbq.get(User, world.users["chef"].id).password_hash, PASSWORD)


def test_expired_reset_link_is_refused(app, client, world, dbq):
    with app.test_request_context():
        user = db.session.get(User, world.users["staff"].id)
        token = make_reset_token(user)
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=max_age - 60), tick=False):
        assert client.get(f"/password/reset/{token}").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=max_age + 60), tick=False):
        response = client.post_form(f"/password/reset/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        # Read while travelling: the session cookie is signed with the future time.
        messages = flashes(client)
    assert response.status_code == 302
    assert response.location == "/password/forgot"
    assert any("expired" in message for _, message in messages), messages
    assert verify_password(dbq.get(User, world.users["staff"].id).password_hash, PASSWORD)


def test_tampered_reset_link_is_refused(client, world):
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 302
    assert response.location == "/password/forgot"
    assert any("not valid" in message for _, message in flashes(client))


def test_unknown_email_gets_the_same_answer_and_no_email(app, world, dbq):
    known_client, unknown_client = new_client(app), new_client(app)
    known = known_client.post_form("/password/forgot", {"email": "staff@example.com"})
    unknown = unknown_client.post_form("/password/forgot", {"email": "nobody@example.com"})
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location) == (302, "/login")
    assert flashes(known_client) == flashes(unknown_client)
    assert dbq.count(Notification, Notification.recipient == "staff@example.com") == 1
    assert dbq.count(Notification, Notification.recipient == "nobody@example.com") == 0


def test_inactive_user_gets_no_reset_email(app, client, world, dbq):
    with app.app_context():
        db.session.get(User, world.users["staff"].id).is_active_flag = False
        db.session.commit()
    response = client.post_form("/password/forgot", {"email": "staff@example.com"})
    assert response.status_code == 302
    assert dbq.count(Notification) == 0


def test_only_the_testing_config_uses_the_cheap_hasher(monkeypatch):
    monkeypatch.setenv("PASSWORD_HASH_PROFILE", "fast")  # no environment variable selects it
    for config in (teppan_config.DevelopmentConfig(), teppan_config.ProductionConfig()):
        assert config.PASSWORD_HASH_PROFILE == "default"
    production = passwords.PROFILES["default"]
    # OWASP's argon2id minimum: 19 MiB of memory, 2 iterations.
    assert production.memory_cost >= 19 * 1024
    assert production.time_cost >= 2
