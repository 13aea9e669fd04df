"""Sign-in, sign-out and the redirect after sign-in."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import update

from app.auth.views import _safe_next
from app.extensions import db
from app.models.user import User
from tests.factories import PASSWORD
from tests.support import flashes, new_client

FAILURE_MESSAGE = "That email and password do not match an active account."


def login(client, email: str, password: str = PASSWORD, next_url: str | None = None, **data):
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post_form(url, {"email": email, "password": password, **data})


def test_login_page_renders_with_a_csrf_field(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="csrf_token"' in response.data
    assert b'name="password"' in response.data


def test_login_success_redirects_home_and_records_the_time(app, client, world, dbq):
    assert dbq.get(User, world.users["manager"].id).last_login_at is None
    response = login(client, "manager@example.com")
    assert response.status_code == 302
    assert response.location == "/"
    assert dbq.get(User, world.users["manager"].id).last_login_at is not None
    # Signed in: the station dashboard opens.
    assert client.get("/s/alpha/").status_code == 200


def test_login_email_is_case_insensitive(client, world):
    response = login(client, "  Manager@Example.COM ")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("manager@example.com", "wrong password here"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_failure_is_401_with_one_message(client, world, email, password):
    response = login(client, email, password)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert FAILURE_MESSAGE in body
    assert "unknown" not in body.lower()
    assert "no account" not in body.lower()
    # Still signed out.
    assert client.get("/s/alpha/").status_code == 302


def test_inactive_user_is_refused_like_a_bad_password(app, client, world):
    with app.app_context():
        db.session.execute(update(User).where(User.email == "staff@example.com").values(is_active_flag=False))
        db.session.commit()
    response = login(client, "staff@example.com")
    assert response.status_code == 401
    assert FAILURE_MESSAGE in response.get_data(as_text=True)


def test_invited_user_without_a_password_cannot_sign_in(app, client, world):
    with app.app_context():
        db.session.execute(update(User).where(User.email == "chef@example.com").values(password_hash=None))
        db.session.commit()
    assert login(client, "chef@example.com", "").status_code == 400  # the form wants a password
    assert login(client, "chef@example.com", "anything at all").status_code == 401


def test_login_with_empty_form_is_400(client):
    response = client.post_form("/login", {})
    assert response.status_code == 400


OFFSITE_TARGETS = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "http:/evil.example",
    "",
]


@pytest.mark.parametrize("target", OFFSITE_TARGETS)
def test_safe_next_refuses_anything_off_site(target):
    assert _safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/s/alpha/team/", "/admin/users?q=a%20b", "/s/alpha/x y"])
def test_safe_next_keeps_local_paths(target):
    assert _safe_next(target) == target


@pytest.mark.parametrize("target", ["https://evil.example/phish", "/\\evil.example/phish"])
def test_login_never_redirects_off_site(client, world, target):
    response = login(client, "manager@example.com", next_url=quote(target, safe=""))
    assert response.status_code == 302
    assert response.location == "/", f"{target!r} redirected to {response.location!r}"


def test_signed_out_page_request_carries_next(client, world):
    response = client.get("/s/alpha/team/?x=1")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    follow = login(client, "manager@example.com", next_url=response.location.split("next=", 1)[1])
    assert follow.location == "/s/alpha/team/?x=1"


def test_signed_in_user_visiting_login_goes_home(as_role):
    response = as_role("manager").get("/login")
    assert response.status_code == 302
    assert response.location == "/"


def test_home_sends_a_single_station_user_to_it_and_owners_to_the_picker(as_role):
    response = as_role("staff").get("/")
    assert response.status_code == 302
    assert response.location == "/s/alpha/"
    picker = as_role("owner").get("/")
    assert picker.status_code == 200
    assert b"/s/alpha/" in picker.data and b"/s/beta/" in picker.data


# --- sign out -------------------------------------------------------------------------


def test_logout_is_post_only(as_role):
    client = as_role("manager")
    assert client.get("/logout").status_code == 405
    assert client.get("/s/alpha/").status_code == 200


def test_logout_needs_the_csrf_token(as_role):
    client = as_role("manager")
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/s/alpha/").status_code == 200  # still signed in


def test_logout_signs_out(app, world):
    client = new_client(app, "manager@example.com")
    response = client.post_form("/logout")
    assert response.status_code == 302
    assert response.location == "/login"
    assert ("info", "You are signed out.") in flashes(client)
    after = client.get("/s/alpha/")
    assert after.status_code == 302
    assert after.location.startswith("/login")


def test_remember_me_sets_a_secure_flagged_cookie_pair(client, world):
    response = login(client, "manager@example.com", remember="y")
    assert response.status_code == 302
    remember = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert remember, "no remember cookie"
    assert "HttpOnly" in remember[0]
    assert "SameSite=Lax" in remember[0]


def test_the_tests_session_sign_in_matches_a_form_sign_in(app, client, world):
    """tests/support.py signs clients in without the form: it must be the same session."""
    from tests.support import new_client

    login(client, "manager@example.com")
    shortcut = new_client(app, "manager@example.com")
    with client.session_transaction() as by_form, shortcut.session_transaction() as by_shortcut:
        assert by_form["_user_id"] == by_shortcut["_user_id"]
        assert by_form["_id"] == by_shortcut["_id"]  # the session-protection identifier
    assert shortcut.get("/s/alpha/team/").status_code == 200


def test_one_clients_sign_in_never_serves_another(app, as_role, world):
    """Guards the fixtures: requests must not share `g` (and its cached user)."""
    assert as_role("manager").get("/s/alpha/").status_code == 200
    assert app.test_client().get("/s/alpha/").status_code == 302
    assert as_role("staff").get("/s/alpha/team/").status_code == 403
