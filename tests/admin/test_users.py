"""Owners invite people, change their roles, deactivate accounts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models.audit import AuditEntry
from app.models.outbox import Notification
from app.models.user import Membership, User
from tests.support import flashes, new_client


def membership_of(dbq, email: str, station_id: int | None) -> Membership | None:
    return dbq.scalar(
        select(Membership).join(User).where(User.email == email, Membership.station_id.is_(station_id))
        if station_id is None
        else select(Membership).join(User).where(User.email == email, Membership.station_id == station_id)
    )


def test_owner_invites_a_new_user_who_gets_an_email(app, as_role, world, dbq):
    response = as_role("owner").post_form(
        "/admin/users/invite",
        {"name": "Rosa Grill", "email": "Rosa@Example.com", "role": "chef", "station_id": world.other.id},
    )
    assert response.status_code == 303
    user = dbq.scalar(select(User).where(User.email == "rosa@example.com"))
    assert user is not None and user.password_hash is None
    assert response.location == f"/admin/users/{user.id}"
    membership = membership_of(dbq, "rosa@example.com", world.other.id)
    assert membership.role == "chef"

    email = dbq.scalar(select(Notification).where(Notification.recipient == "rosa@example.com"))
    assert (email.kind, email.status, email.station_id) == ("invitation", "recorded", world.other.id)
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "membership.added"))
    assert entry.after == {"user": "rosa@example.com", "role": "chef", "new_user": True}
    assert entry.station_id == world.other.id

    # The link in the invitation sets a password, then the person signs in at beta.
    link = re.search(r"http://localhost(/password/reset/\S+)", email.body_text).group(1)
    client = new_client(app)
    chosen = client.post_form(link, {"password": "rosa's own passphrase", "confirm": "rosa's own passphrase"})
    assert chosen.status_code == 302
    signed_in = new_client(app, "rosa@example.com", "rosa's own passphrase")
    assert signed_in.get("/s/beta/").status_code == 200
    assert signed_in.get("/s/alpha/").status_code == 404


def test_inviting_an_existing_user_adds_a_role_without_an_email(as_role, world, dbq):
    response = as_role("owner").post_form(
        "/admin/users/invite",
        {"name": "ignored", "email": "staff@example.com", "role": "manager", "station_id": world.other.id},
    )
    assert response.status_code == 303
    assert membership_of(dbq, "staff@example.com", world.other.id).role == "manager"
    assert dbq.count(Notification) == 0


def test_inviting_someone_already_on_the_team_is_refused(as_role, world, dbq):
    client = as_role("owner")
    response = client.post_form(
        "/admin/users/invite",
        {"name": "Staff", "email": "staff@example.com", "role": "chef", "station_id": world.station.id},
    )
    assert response.status_code == 303
    assert response.location == "/admin/users"
    assert any("already on this team" in m for _, m in flashes(client))
    assert membership_of(dbq, "staff@example.com", world.station.id).role == "staff"


def test_a_station_role_needs_a_station(as_role, world, dbq):
    client = as_role("owner")
    response = client.post_form(
        "/admin/users/invite", {"name": "No Station", "email": "ns@example.com", "role": "staff", "station_id": 0}
    )
    assert response.status_code == 303
    assert dbq.count(User, User.email == "ns@example.com") == 0


def test_owner_can_make_another_owner(as_role, world, dbq):
    response = as_role("owner").post_form(
        "/admin/users/invite", {"name": "Co Owner", "email": "co@example.com", "role": "owner", "station_id": 0}
    )
    assert response.status_code == 303
    assert membership_of(dbq, "co@example.com", None).role == "owner"


def test_owner_changes_and_removes_roles(as_role, world, dbq):
    client = as_role("owner")
    staff = world.users["staff"]
    membership_id = staff.memberships[0].id
    url = f"/admin/users/{staff.id}/memberships/{membership_id}"
    assert client.post_form(url, {"role": "chef", "action": "save"}).status_code == 303
    assert dbq.get(Membership, membership_id).role == "chef"
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "membership.role_changed"))
    assert (entry.before, entry.after) == ({"role": "staff"}, {"role": "chef"})

    assert client.post_form(url, {"action": "remove"}).status_code == 303
    assert dbq.get(Membership, membership_id) is None
    assert dbq.count(AuditEntry, AuditEntry.action == "membership.removed") == 1


def test_a_membership_of_another_user_is_404(as_role, world, dbq):
    staff, chef = world.users["staff"], world.users["chef"]
    url = f"/admin/users/{staff.id}/memberships/{chef.memberships[0].id}"
    assert as_role("owner").post_form(url, {"action": "remove"}).status_code == 404
    assert dbq.get(Membership, chef.memberships[0].id) is not None


def test_the_last_owner_cannot_be_removed(as_role, world, dbq):
    owner = world.users["owner"]
    membership_id = owner.memberships[0].id
    client = as_role("owner")
    # Even by another owner: made here, so that "yourself" is not the reason.
    client.post_form("/admin/users/invite", {"name": "Co", "email": "co@example.com", "role": "owner", "station_id": 0})
    co_id = dbq.scalar(select(User.id).where(User.email == "co@example.com"))
    co_membership = membership_of(dbq, "co@example.com", None).id
    assert (
        client.post_form(f"/admin/users/{co_id}/memberships/{co_membership}", {"action": "remove"}).status_code == 303
    )
    assert dbq.get(Membership, co_membership) is None
    response = client.post_form(f"/admin/users/{owner.id}/memberships/{membership_id}", {"action": "remove"})
    assert response.status_code == 303
    assert dbq.get(Membership, membership_id) is not None


def test_deactivating_a_user_ends_their_session(app, as_role, world, dbq):
    staff_client = new_client(app, "staff@example.com")
    assert staff_client.get("/s/alpha/").status_code == 200
    staff = world.users["staff"]

    response = as_role("owner").post_form(f"/admin/users/{staff.id}/active", {"active": "0"})
    assert response.status_code == 303
    assert dbq.get(User, staff.id).is_active_flag is False
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivated"))
    assert entry.entity_id == str(staff.id)
    assert entry.actor_id == world.users["owner"].id

    out = staff_client.get("/s/alpha/")
    assert out.status_code == 302
    assert out.location.startswith("/login")
    assert (
        staff_client.post_form(
            "/login", {"email": "staff@example.com", "password": "correct horse battery"}
        ).status_code
        == 401
    )

    assert as_role("owner").post_form(f"/admin/users/{staff.id}/active", {"active": "1"}).status_code == 303
    assert dbq.get(User, staff.id).is_active_flag is True
    assert new_client(app, "staff@example.com").get("/s/alpha/").status_code == 200


def test_owner_cannot_deactivate_themselves(as_role, world, dbq):
    owner = world.users["owner"]
    client = as_role("owner")
    assert client.post_form(f"/admin/users/{owner.id}/active", {"active": "0"}).status_code == 303
    assert dbq.get(User, owner.id).is_active_flag is True
    assert client.get("/admin/users").status_code == 200


def test_owner_edits_a_profile(as_role, world, dbq):
    staff = world.users["staff"]
    response = as_role("owner").post_form(f"/admin/users/{staff.id}", {"name": "Sam Staff", "email": "Sam@Example.com"})
    assert response.status_code == 303
    user = dbq.get(User, staff.id)
    assert (user.name, user.email) == ("Sam Staff", "sam@example.com")
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated"))
    assert entry.after == {"name": "Sam Staff", "email": "sam@example.com"}


@pytest.mark.parametrize(
    "form",
    [
        {"name": "", "email": ""},
        {"name": "Sam", "email": "not-an-email"},
        {"name": "", "email": "sam@example.com"},
        {"name": "Sam", "email": "chef@example.com"},  # someone else's
        {"name": "Sam", "email": "s" * 250 + "@example.com"},  # longer than the column
        {"name": "S" * 121, "email": "sam@example.com"},
    ],
    ids=["empty", "bad-email", "no-name", "taken-email", "long-email", "long-name"],
)
def test_bad_profile_edits_change_nothing(as_role, world, dbq, form):
    staff = world.users["staff"]
    client = as_role("owner")
    response = client.post_form(f"/admin/users/{staff.id}", form)
    assert response.status_code == 303
    user = dbq.get(User, staff.id)
    assert (user.name, user.email) == ("Staff", "staff@example.com")
    assert any(category == "error" for category, _ in flashes(client))
    assert dbq.count(AuditEntry, AuditEntry.action == "user.updated") == 0


def test_users_page_full_and_htmx_fragment(as_role, world):
    client = as_role("owner")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert b"<html" in page.data
    assert b'id="users-table"' in page.data
    assert "HX-Request" in page.headers["Vary"]

    fragment = client.get("/admin/users?q=chef", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.data
    assert b"<table" in fragment.data
    assert b"chef@example.com" in fragment.data
    assert b"manager@example.com" not in fragment.data  # the search applies
    assert "HX-Request" in fragment.headers["Vary"]

    boosted = client.get("/admin/users", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert b"<html" in boosted.data


def test_users_search_finds_by_email_and_name(as_role, world):
    html = as_role("owner").get("/admin/users?q=OTHER").get_data(as_text=True)
    assert "other@example.com" in html and "other.staff@example.com" in html
    assert "chef@example.com" not in html


def test_invitations_offer_the_least_privileged_role_first(as_role, world):
    """A select left as it opens takes its first option: that must be the smallest role."""
    for url in ("/admin/users", f"/admin/users/{world.users['staff'].id}", "/s/alpha/team/"):
        html = as_role("owner").get(url).get_data(as_text=True)
        select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', html.split("Invite")[-1], re.DOTALL)
        options = re.findall(r'<option value="([a-z]+)"', select.group(1))
        assert options[0] == "chef", (url, options)
        assert options.index("staff") < options.index("manager")
        assert "owner" not in options or options[-1] == "owner"
