"""Managers build their own station's team, and nothing beyond it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.outbox import Notification
from app.models.station import Station
from app.models.user import Membership, Role, User
from tests.factories import member
from tests.support import flashes, new_client


def invite(client, role: str, email: str = "new.person@example.com", slug: str = "alpha", **kwargs):
    return client.post_form(f"/s/{slug}/team/invite", {"name": "New Person", "email": email, "role": role}, **kwargs)


def memberships_of(dbq, email: str) -> list[Membership]:
    return dbq.scalars(select(Membership).join(User).where(User.email == email))


def test_team_page_lists_the_station_only(as_role, world):
    html = as_role("manager").get("/s/alpha/team/").get_data(as_text=True)
    for email in ("manager@example.com", "staff@example.com", "chef@example.com"):
        assert email in html
    assert "other@example.com" not in html
    assert "other.staff@example.com" not in html


@pytest.mark.parametrize("role", ["staff", "chef"])
def test_manager_invites_staff_and_chefs(as_role, world, dbq, role):
    response = invite(as_role("manager"), role)
    assert response.status_code == 303
    assert response.location == "/s/alpha/team/"
    [membership] = memberships_of(dbq, "new.person@example.com")
    assert (membership.station_id, membership.role) == (world.station.id, role)
    email = dbq.scalar(select(Notification).where(Notification.recipient == "new.person@example.com"))
    assert (email.kind, email.status) == ("invitation", "recorded")
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "membership.added"))
    assert (entry.station_id, entry.actor_id) == (world.station.id, world.users["manager"].id)


@pytest.mark.parametrize("role", ["manager", "owner"])
def test_manager_cannot_grant_manager_or_owner(as_role, world, dbq, role):
    client = as_role("manager")
    response = invite(client, role)
    assert response.status_code in (303, 403)
    assert memberships_of(dbq, "new.person@example.com") == []
    assert dbq.count(User, User.email == "new.person@example.com") == 0
    assert any(category == "error" for category, _ in flashes(client))


def test_invite_form_offers_the_manager_only_staff_and_chef(as_role, world):
    html = as_role("manager").get("/s/alpha/team/").get_data(as_text=True)
    invite_form = html[html.index('action="/s/alpha/team/invite"') :]
    options = invite_form[: invite_form.index("</select>")]
    assert 'value="staff"' in options and 'value="chef"' in options
    assert 'value="manager"' not in options and 'value="owner"' not in options


def test_owner_at_a_station_may_invite_a_manager(as_role, world, dbq):
    assert invite(as_role("owner"), "manager").status_code == 303
    [membership] = memberships_of(dbq, "new.person@example.com")
    assert membership.role == "manager"


def test_manager_changes_a_staff_role_to_chef(as_role, world, dbq):
    membership_id = world.users["staff"].memberships[0].id
    response = as_role("manager").post_form(f"/s/alpha/team/{membership_id}/role", {"role": "chef"})
    assert response.status_code == 303
    assert dbq.get(Membership, membership_id).role == "chef"


@pytest.mark.parametrize("role", ["manager", "owner"])
def test_manager_cannot_promote(as_role, world, dbq, role):
    membership_id = world.users["staff"].memberships[0].id
    client = as_role("manager")
    response = client.post_form(f"/s/alpha/team/{membership_id}/role", {"role": role})
    assert response.status_code in (303, 403)
    assert dbq.get(Membership, membership_id).role == "staff"
    assert dbq.count(AuditEntry) == 0


def test_manager_cannot_change_their_own_role(as_role, world, dbq):
    membership_id = world.users["manager"].memberships[0].id
    as_role("manager").post_form(f"/s/alpha/team/{membership_id}/role", {"role": "staff"})
    assert dbq.get(Membership, membership_id).role == "manager"


def test_manager_removes_a_chef_but_not_another_manager(as_role, world, dbq, app):
    with app.app_context():
        second = member(db.session.get(Station, world.station.id), Role.MANAGER, email="m2@example.com")
        second_membership = second.memberships[0].id
        db.session.commit()
    client = as_role("manager")
    chef_membership = world.users["chef"].memberships[0].id
    assert client.post_form(f"/s/alpha/team/{chef_membership}/remove").status_code == 303
    assert dbq.get(Membership, chef_membership) is None
    assert client.post_form(f"/s/alpha/team/{second_membership}/remove").status_code == 303
    assert dbq.get(Membership, second_membership) is not None


def test_removed_member_loses_the_station(app, as_role, world):
    chef = new_client(app, "chef@example.com")
    assert chef.get("/s/alpha/").status_code == 200
    as_role("manager").post_form(f"/s/alpha/team/{world.users['chef'].memberships[0].id}/remove")
    # Removal ends the chef's sessions; signed in again, the station is no longer theirs.
    assert chef.get("/s/alpha/").location.startswith("/login")
    assert new_client(app, "chef@example.com").get("/s/alpha/").status_code == 404


def test_manager_cannot_touch_another_stations_memberships(as_role, world, dbq):
    client = as_role("manager")
    beta_membership = world.users["other_staff"].memberships[0].id
    assert client.post_form(f"/s/alpha/team/{beta_membership}/role", {"role": "chef"}).status_code == 404
    assert client.post_form(f"/s/alpha/team/{beta_membership}/remove").status_code == 404
    assert client.post_form(f"/s/beta/team/{beta_membership}/remove").status_code == 404
    assert invite(client, "staff", slug="beta").status_code == 404
    assert dbq.get(Membership, beta_membership).role == "staff"
    assert dbq.count(User, User.email == "new.person@example.com") == 0


@pytest.mark.parametrize("role", ["staff", "chef"])
def test_staff_and_chefs_cannot_manage_the_team(as_role, world, dbq, role):
    client = as_role(role)
    assert client.get("/s/alpha/team/").status_code == 403
    assert invite(client, "staff").status_code == 403
    assert dbq.count(User, User.email == "new.person@example.com") == 0


def test_htmx_invite_answers_with_hx_redirect(as_role, world, dbq):
    response = as_role("manager").htmx(
        "post", "/s/alpha/team/invite", data={"name": "Hx", "email": "hx@example.com", "role": "chef"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/s/alpha/team/"
    assert len(memberships_of(dbq, "hx@example.com")) == 1
