"""Signing out ends the session: a cookie copied before sign-out (or before a password,
role, membership, activation or email change) is refused afterwards; sessions time out.

Cookies are copied into a fresh client the way an attacker would replay them: the session
cookie and the "keep me signed in" (remember_token) cookie, each on its own.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from app.models.user import User
from tests.factories import PASSWORD
from tests.support import new_client

STATION_HOME = "/s/alpha/"


def signed_in_with_password(app, email: str, *, remember: bool = False):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post_form("/login", data)
    assert response.status_code == 302, response.data[:300]
    assert client.get(STATION_HOME if "owner" not in email else "/admin/users").status_code == 200
    return client


def stolen(client, *names: str) -> dict[str, str]:
    """The values of `client`'s cookies `names`, as copied off the victim's machine."""
    values = {}
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        values[name] = cookie.value
    return values


def replay(app, cookies: dict[str, str]):
    """A new browser holding nothing but `cookies`."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def copied(app, client, *names: str):
    """A new client holding copies of `client`'s cookies `names` (an attacker's browser)."""
    return replay(app, stolen(client, *names))


def refused(client, path: str = STATION_HOME) -> bool:
    response = client.get(path)
    return response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, world, cookie):
    victim = signed_in_with_password(app, "staff@example.com", remember=True)
    cookies = stolen(victim, cookie)
    assert not refused(replay(app, cookies))  # the copy works while the victim is signed in

    assert victim.post_form("/logout").status_code == 302
    assert refused(victim)
    assert refused(replay(app, cookies))
    # And the account still signs in normally afterwards.
    assert not refused(signed_in_with_password(app, "staff@example.com"))


def test_sign_out_rotates_the_token_that_reset_links_carry_too(app, world, dbq):
    before = dbq.get(User, world.users["staff"].id).session_token
    client = signed_in_with_password(app, "staff@example.com")
    client.post_form("/logout")
    assert dbq.get(User, world.users["staff"].id).session_token != before


def _membership_id(world, who: str) -> int:
    return world.users[who].memberships[0].id


CHANGES = {
    "role change": lambda manager, world: manager.post_form(
        f"/s/alpha/team/{_membership_id(world, 'staff')}/role", {"role": "chef"}
    ),
    "membership removal": lambda manager, world: manager.post_form(
        f"/s/alpha/team/{_membership_id(world, 'staff')}/remove"
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_role_change_or_removal_ends_the_person_s_sessions(app, world, change):
    staff = signed_in_with_password(app, "staff@example.com", remember=True)
    thief = copied(app, staff, "remember_token")
    manager = new_client(app, "manager@example.com")
    response = CHANGES[change](manager, world)
    assert response.status_code in (302, 303), response.data[:300]
    assert refused(staff, "/account")
    assert refused(thief, "/account")


def test_deactivation_ends_the_person_s_sessions_and_reactivation_does_not_revive_them(app, world):
    staff = signed_in_with_password(app, "staff@example.com", remember=True)
    copies = [copied(app, staff, "session"), copied(app, staff, "remember_token")]
    owner = new_client(app, "owner@example.com")
    user_id = world.users["staff"].id
    assert owner.post_form(f"/admin/users/{user_id}/active", {"active": "0"}).status_code in (302, 303)
    assert owner.post_form(f"/admin/users/{user_id}/active", {"active": "1"}).status_code in (302, 303)
    for client in (staff, *copies):
        assert refused(client, "/account")


def test_an_email_change_ends_sessions_and_voids_reset_links_sent_to_the_old_address(app, world):
    from app.auth.services import make_reset_token
    from app.extensions import db

    with app.app_context():
        link = f"/password/reset/{make_reset_token(db.session.get(User, world.users['staff'].id))}"
    staff = signed_in_with_password(app, "staff@example.com")
    owner = new_client(app, "owner@example.com")
    user_id = world.users["staff"].id
    response = owner.post_form(f"/admin/users/{user_id}", {"name": "Staff", "email": "new.address@example.com"})
    assert response.status_code in (302, 303)
    assert refused(staff, "/account")
    assert app.test_client().get(link).location.endswith("/password/forgot")


# --- timeouts --------------------------------------------------------------------------


def test_an_idle_session_ends_after_the_idle_timeout(make_app, world):
    app = make_app(SESSION_IDLE_MINUTES=30)
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False) as clock:
        client = signed_in_with_password(app, "staff@example.com")
        clock.shift(timedelta(minutes=29))
        assert client.get(STATION_HOME).status_code == 200  # activity: the idle clock restarts
        clock.shift(timedelta(minutes=29))
        assert client.get(STATION_HOME).status_code == 200
        clock.shift(timedelta(minutes=31))
        assert refused(client)
        assert refused(client)  # and it stays signed out


def test_an_active_session_ends_at_its_maximum_length(make_app, world):
    app = make_app(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=12)
    with time_machine.travel("2027-03-01 08:00:00+00:00", tick=False) as clock:
        client = signed_in_with_password(app, "staff@example.com")
        for _ in range(12 * 3 + 1):  # a request every 20 minutes for 12 hours
            clock.shift(timedelta(minutes=20))
            if refused(client):
                break
        else:
            pytest.fail("the session outlived SESSION_MAX_HOURS")


def test_a_remembered_device_stays_signed_in_but_asks_for_the_password_before_sensitive_changes(make_app, world, dbq):
    app = make_app(SESSION_IDLE_MINUTES=30)
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False) as clock:
        browser = signed_in_with_password(app, "manager@example.com", remember=True)
        # The browser is closed: only the remember cookie survives, a day later.
        clock.shift(timedelta(days=1))
        reopened = copied(app, browser, "remember_token")
        assert reopened.get(STATION_HOME).status_code == 200
        assert reopened.get(STATION_HOME).status_code == 200  # and on the next request too
        staff_membership = _membership_id(world, "staff")
        response = reopened.post_form(
            f"/s/alpha/team/{staff_membership}/role",
            {"role": "chef"},
            headers={"Referer": "http://localhost/s/alpha/team/"},
        )
        assert response.status_code == 302
        assert response.location.startswith("/reauthenticate?next=/s/alpha/team/")
        from app.models.user import Membership

        assert dbq.get(Membership, staff_membership).role == "staff"  # nothing changed yet

        assert reopened.post_form("/reauthenticate", {"password": "not my password"}).status_code == 401
        confirmed = reopened.post_form("/reauthenticate?next=/s/alpha/team/", {"password": PASSWORD})
        assert confirmed.status_code == 302 and confirmed.location == "/s/alpha/team/"
        response = reopened.post_form(f"/s/alpha/team/{staff_membership}/role", {"role": "chef"})
        assert response.status_code == 303
        assert dbq.get(Membership, staff_membership).role == "chef"
