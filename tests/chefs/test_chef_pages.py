"""The chef list, profiles, the availability editor and who may reach them."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from app.chefs.queries import station_today
from app.models.audit import AuditEntry
from app.models.chef import AvailabilityWindow, Chef
from app.models.user import Role
from tests.chefs.factories import ChefFactory, WindowFactory, working_chef
from tests.customers.factories import BookingFactory, CustomerFactory
from tests.factories import member


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("manager", 200), ("staff", 200), ("chef", 403)])
def test_chef_list_by_role(as_role, world, seed, role, status):
    with seed():
        ChefFactory(station_id=world.station.id, name="Kenji")
    response = as_role(role).get("/s/alpha/chefs/")
    assert response.status_code == status
    if status == 200:
        assert b"Kenji" in response.data
        assert b"Capacity, next 14 days" in response.data


def test_another_stations_user_gets_404(as_role):
    assert as_role("other_manager").get("/s/alpha/chefs/").status_code == 404
    assert as_role("other_staff").get("/s/alpha/chefs/capacity").status_code == 404


def test_list_shows_active_flag_upcoming_count_and_windows(as_role, world, seed):
    with seed():
        chef = ChefFactory(station_id=world.station.id, name="Kenji", is_active=False)
        WindowFactory(chef=chef, weekday=2, starts=time(12, 0), ends=time(22, 0))
        customer = CustomerFactory(station_id=world.station.id)
        BookingFactory(customer=customer, chef_id=chef.id)
        BookingFactory(customer=customer, chef_id=chef.id, slot_time="12:00")
        BookingFactory(customer=customer, chef_id=chef.id, slot_time="15:00", status="cancelled")
    html = as_role("staff").get("/s/alpha/chefs/").get_data(as_text=True)
    assert "inactive" in html
    assert "Wed 12:00–22:00" in html
    assert '<td data-label="Upcoming events">2</td>' in html  # the cancelled one does not count
    assert "Add chef" not in html  # staff see, managers change


def test_manager_adds_and_edits_a_chef_linked_to_a_chef_user(as_role, world, dbq):
    client = as_role("manager")
    page = client.get("/s/alpha/chefs/new").get_data(as_text=True)
    assert world.users["chef"].email in page
    assert world.users["staff"].email not in page  # only users with the chef role here

    response = client.post_form(
        "/s/alpha/chefs/new",
        {
            "name": "Kenji",
            "phone": "(404) 555-0100",
            "email": "Kenji@Example.com",
            "is_active": "y",
            "user_id": str(world.users["chef"].id),
        },
    )
    assert response.status_code == 303
    chef = dbq.scalar(select(Chef).where(Chef.name == "Kenji"))
    assert response.location.endswith(f"/s/alpha/chefs/{chef.id}/edit")
    assert (chef.phone, chef.email, chef.user_id) == ("+14045550100", "kenji@example.com", world.users["chef"].id)
    assert dbq.scalar(select(AuditEntry).where(AuditEntry.action == "chef.created")).entity_id == str(chef.id)

    # The page posts every input: phone and email as they are, "Active" unticked, no account.
    unchanged = {"phone": chef.phone, "email": chef.email}
    response = client.post_form(f"/s/alpha/chefs/{chef.id}/edit", {"name": "Kenji Sato", "user_id": "", **unchanged})
    assert response.status_code == 303
    chef = dbq.get(Chef, chef.id)
    assert (chef.name, chef.is_active, chef.user_id) == ("Kenji Sato", False, None)
    updated = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "chef.updated"))
    assert updated.after == {"name": "Kenji Sato", "is_active": False, "user_id": None}


def test_a_user_without_the_chef_role_cannot_be_linked(as_role, world, dbq):
    response = as_role("manager").post_form(
        "/s/alpha/chefs/new", {"name": "Kenji", "user_id": str(world.users["staff"].id)}
    )
    assert response.status_code == 422
    assert dbq.count(Chef) == 0


def test_a_chef_user_links_to_one_chef_only(as_role, world, seed):
    with seed():
        ChefFactory(station_id=world.station.id, name="Linked", user_id=world.users["chef"].id)
    client = as_role("manager")
    assert world.users["chef"].email not in client.get("/s/alpha/chefs/new").get_data(as_text=True)
    response = client.post_form("/s/alpha/chefs/new", {"name": "Other", "user_id": str(world.users["chef"].id)})
    assert response.status_code == 422


def test_a_new_chef_user_can_be_linked(as_role, world, seed):
    with seed():
        newcomer = member(world.station, Role.CHEF, email="newcomer@example.com", name="Newcomer")
    assert newcomer.email in as_role("manager").get("/s/alpha/chefs/new").get_data(as_text=True)


def test_invalid_chef_details_are_refused(as_role, dbq):
    response = as_role("manager").post_form("/s/alpha/chefs/new", {"name": "Kenji", "phone": "12"})
    assert response.status_code == 422
    assert b"field-error" in response.data
    assert dbq.count(Chef) == 0


@pytest.mark.parametrize("role", ["staff", "chef"])
def test_only_managers_change_chefs(as_role, world, seed, role):
    with seed():
        chef = ChefFactory(station_id=world.station.id)
        window = WindowFactory(chef=chef)
    client = as_role(role)
    assert client.get("/s/alpha/chefs/new").status_code == 403
    assert client.get(f"/s/alpha/chefs/{chef.id}/edit").status_code == 403
    data = {"weekday": "0", "starts": "12:00", "ends": "20:00"}
    assert client.post_form(f"/s/alpha/chefs/{chef.id}/windows", data).status_code == 403
    assert client.post_form(f"/s/alpha/chefs/windows/{window.id}/remove").status_code == 403


def test_other_stations_rows_answer_404(as_role, world, seed):
    with seed():
        beta_chef = ChefFactory(station_id=world.other.id)
        window = WindowFactory(chef=beta_chef)
    client = as_role("owner")  # owners open every station, but each only through its own URLs
    assert client.get(f"/s/alpha/chefs/{beta_chef.id}").status_code == 404
    assert client.get(f"/s/alpha/chefs/{beta_chef.id}/edit").status_code == 404
    assert client.post_form(f"/s/alpha/chefs/{beta_chef.id}/edit", {"name": "X"}).status_code == 404
    data = {"weekday": "0", "starts": "12:00", "ends": "20:00"}
    assert client.post_form(f"/s/alpha/chefs/{beta_chef.id}/windows", data).status_code == 404
    assert client.post_form(f"/s/alpha/chefs/windows/{window.id}/remove").status_code == 404
    assert client.get(f"/s/beta/chefs/{beta_chef.id}").status_code == 200
    assert as_role("manager").get(f"/s/alpha/chefs/{beta_chef.id}").status_code == 404


# --- the weekly availability editor ---------------------------------------------------


@pytest.fixture
def kenji(world, seed):
    with seed():
        chef = ChefFactory(station_id=world.station.id, name="Kenji")
        WindowFactory(chef=chef, weekday=0, starts=time(11, 0), ends=time(16, 0))
    return chef


def _windows(dbq, chef) -> list[tuple[int, str, str]]:
    rows = dbq.scalars(select(AvailabilityWindow).where(AvailabilityWindow.chef_id == chef.id))
    return sorted((w.weekday, f"{w.starts:%H:%M}", f"{w.ends:%H:%M}") for w in rows)


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("18:00", "18:00", "must start before it ends"),
        ("20:00", "12:00", "must start before it ends"),
        ("15:00", "20:00", "overlaps"),
        ("10:00", "11:30", "overlaps"),
        ("09:00", "17:00", "overlaps"),
        ("", "12:00", "start and an end"),
        ("25:00", "26:00", "Enter a time like 18:30."),
    ],
)
def test_window_validation(as_role, kenji, dbq, starts, ends, message):
    client = as_role("manager")
    data = {"weekday": "0", "starts": starts, "ends": ends}
    response = client.post_form(f"/s/alpha/chefs/{kenji.id}/windows", data, follow_redirects=True)
    assert message in response.get_data(as_text=True)  # flashed on the edit page
    assert _windows(dbq, kenji) == [(0, "11:00", "16:00")]

    response = client.htmx("post", f"/s/alpha/chefs/{kenji.id}/windows", data=data)
    assert response.status_code == 422  # app.js shows the message as a toast
    assert message in response.get_data(as_text=True)
    assert _windows(dbq, kenji) == [(0, "11:00", "16:00")]


def test_adjacent_windows_and_other_weekdays_are_fine(as_role, kenji, dbq):
    client = as_role("manager")
    data = {"weekday": "0", "starts": "16:00", "ends": "23:00"}
    response = client.post_form(f"/s/alpha/chefs/{kenji.id}/windows", data)
    assert response.status_code == 303
    assert response.location.endswith(f"/s/alpha/chefs/{kenji.id}/edit")
    client.post_form(f"/s/alpha/chefs/{kenji.id}/windows", {"weekday": "5", "starts": "11:00", "ends": "16:00"})
    assert _windows(dbq, kenji) == [(0, "11:00", "16:00"), (0, "16:00", "23:00"), (5, "11:00", "16:00")]
    assert dbq.count(AuditEntry, AuditEntry.action == "chef.window_added") == 2


def test_window_editor_with_htmx_swaps_the_fragment(as_role, kenji, dbq):
    client = as_role("manager")
    data = {"weekday": "3", "starts": "17:00", "ends": "22:00"}
    response = client.htmx("post", f"/s/alpha/chefs/{kenji.id}/windows", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="chef-windows">') and "<html" not in html
    assert "17:00–22:00" in html
    assert "capacity-changed" in response.headers["HX-Trigger"]
    assert "toast" in response.headers["HX-Trigger"]

    window = dbq.scalar(select(AvailabilityWindow).where(AvailabilityWindow.weekday == 3))
    response = client.htmx("post", f"/s/alpha/chefs/windows/{window.id}/remove")
    assert response.status_code == 200
    assert "17:00–22:00" not in response.get_data(as_text=True)
    assert _windows(dbq, kenji) == [(0, "11:00", "16:00")]
    assert dbq.count(AuditEntry, AuditEntry.action == "chef.window_removed") == 1


def test_window_removal_without_htmx_redirects(as_role, kenji, dbq):
    window = dbq.scalar(select(AvailabilityWindow).where(AvailabilityWindow.chef_id == kenji.id))
    response = as_role("manager").post_form(f"/s/alpha/chefs/windows/{window.id}/remove")
    assert response.status_code == 303
    assert response.location.endswith(f"/s/alpha/chefs/{kenji.id}/edit")
    assert _windows(dbq, kenji) == []


def test_every_form_carries_a_csrf_token(as_role, kenji):
    client = as_role("manager")
    for url in (f"/s/alpha/chefs/{kenji.id}/edit", "/s/alpha/chefs/", f"/s/alpha/chefs/{kenji.id}"):
        html = client.get(url).get_data(as_text=True)
        assert html.count('method="post"') == html.count('name="csrf_token"'), url


def test_posts_without_csrf_are_refused(as_role, kenji, dbq):
    data = {"weekday": "1", "starts": "12:00", "ends": "20:00"}
    response = as_role("manager").post(f"/s/alpha/chefs/{kenji.id}/windows", data=data)
    assert response.status_code == 400
    assert _windows(dbq, kenji) == [(0, "11:00", "16:00")]


# --- capacity preview and N+1 ---------------------------------------------------------


def test_capacity_fragment_for_htmx_and_page_without(as_role, world, seed):
    with seed():
        working_chef(world.station)
    client = as_role("staff")
    fragment = client.htmx("get", "/s/alpha/chefs/capacity").get_data(as_text=True)
    assert "<html" not in fragment and 'class="chef-capacity"' in fragment
    page = client.get("/s/alpha/chefs/capacity").get_data(as_text=True)
    assert "<html" in page and 'class="chef-capacity"' in page
    assert station_today(world.station).strftime("%a %d %b") in page


def _add_chefs(world, count: int) -> None:
    customer = CustomerFactory(station_id=world.station.id)
    for _ in range(count):
        chef = working_chef(world.station)
        BookingFactory(customer=customer, chef_id=chef.id, slot_time="12:00")


def test_chef_list_query_count_does_not_grow_with_rows(as_role, world, seed, count_queries):
    client = as_role("manager")
    with seed():
        _add_chefs(world, 3)
    with count_queries() as few:
        assert client.get("/s/alpha/chefs/").status_code == 200

    with seed():
        _add_chefs(world, 27)
    with count_queries() as many:
        response = client.get("/s/alpha/chefs/")
    assert response.get_data(as_text=True).count('/edit">Edit</a>') == 30
    assert few.count == many.count, "\n".join(many.statements)
