"""Time off, blackout dates and their effect on capacity; schedules; event sheets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.availability.services import capacities
from app.chefs.queries import station_today
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.chef import Blackout, TimeOff
from app.models.station import Station
from tests.chefs.factories import BlackoutFactory, ChefFactory, TimeOffFactory, working_chef
from tests.customers.factories import BookingFactory, CustomerFactory


def _capacity(app, world, day) -> dict[str, int]:
    """Capacity of each slot of `day`, read afresh from the database."""
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        caps = capacities(station, day, day)
    return {slot: n for (_, slot), n in caps.items()}


@pytest.fixture
def day(world):
    return station_today(world.station) + timedelta(days=5)


@pytest.fixture
def chefs(world, seed):
    """Two chefs working every slot; the first signs in as the world's chef user."""
    with seed():
        kenji = working_chef(world.station, name="Kenji", user_id=world.users["chef"].id)
        hana = working_chef(world.station, name="Hana")
    return kenji, hana


# --- time off -------------------------------------------------------------------------


def test_chef_requests_time_off_and_approval_lowers_capacity(app, as_role, world, chefs, day, dbq):
    kenji, _ = chefs
    assert _capacity(app, world, day) == {"12:00": 2, "15:00": 2, "18:00": 2, "21:00": 2}

    response = as_role("chef").post_form(
        "/s/alpha/chefs/me/time-off",
        {"first_day": day.isoformat(), "last_day": (day + timedelta(days=1)).isoformat(), "reason": "Wedding"},
    )
    assert response.status_code == 303 and response.location.endswith("/s/alpha/chefs/me")
    entry = dbq.scalar(select(TimeOff))
    assert (entry.chef_id, entry.status, entry.reason) == (kenji.id, "requested", "Wedding")
    assert _capacity(app, world, day)["18:00"] == 2  # a request changes nothing yet

    manager = as_role("manager")
    assert b"Wedding" in manager.get("/s/alpha/chefs/").data  # waiting on the chef list
    response = manager.post_form(f"/s/alpha/chefs/time-off/{entry.id}/decide", {"decision": "approve"})
    assert response.status_code == 303
    entry = dbq.get(TimeOff, entry.id)
    assert (entry.status, entry.decided_by_id) == ("approved", world.users["manager"].id)
    assert _capacity(app, world, day) == {"12:00": 1, "15:00": 1, "18:00": 1, "21:00": 1}
    assert _capacity(app, world, day + timedelta(days=2))["18:00"] == 2
    assert dbq.count(AuditEntry, AuditEntry.action == "time_off.requested") == 1
    assert dbq.count(AuditEntry, AuditEntry.action == "time_off.approved") == 1

    response = manager.post_form(f"/s/alpha/chefs/time-off/{entry.id}/decide", {"decision": "reject"})
    assert dbq.get(TimeOff, entry.id).status == "rejected"
    assert _capacity(app, world, day)["18:00"] == 2


def test_decisions_with_htmx_refresh_the_pending_list_and_capacity(as_role, world, chefs, day, seed):
    with seed():
        entry = TimeOffFactory(chef=chefs[1], first_day=day, last_day=day, reason="Dentist")
    response = as_role("manager").htmx(
        "post", f"/s/alpha/chefs/time-off/{entry.id}/decide", data={"decision": "reject"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="chef-pending-time-off">') and "Dentist" not in html
    assert "capacity-changed" in response.headers["HX-Trigger"]


def test_approval_warns_about_events_the_chef_holds(as_role, world, chefs, day, seed):
    kenji, _ = chefs
    with seed():
        entry = TimeOffFactory(chef=kenji, first_day=day, last_day=day)
        booking = BookingFactory(
            customer=CustomerFactory(station_id=world.station.id), chef_id=kenji.id, event_date=day
        )
    response = as_role("manager").post_form(
        f"/s/alpha/chefs/time-off/{entry.id}/decide",
        {"decision": "approve", "back": "schedule"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert booking.reference in html and "reassign" in html
    assert "<h1>Kenji</h1>" in html  # back on the chef's schedule


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [(1, 0, "cannot be before"), (-3, 0, "in the past"), (None, 2, "first and the last day")],
)
def test_time_off_requests_are_validated(as_role, chefs, day, dbq, first, last, message):
    today = day - timedelta(days=5)
    data = {
        "first_day": (today + timedelta(days=first)).isoformat() if first is not None else "",
        "last_day": (today + timedelta(days=last)).isoformat(),
    }
    response = as_role("chef").post_form("/s/alpha/chefs/me/time-off", data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert dbq.count(TimeOff) == 0


def test_time_off_request_with_htmx_returns_the_list(as_role, chefs, day):
    response = as_role("chef").htmx(
        "post", "/s/alpha/chefs/me/time-off", data={"first_day": day.isoformat(), "last_day": day.isoformat()}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="chef-time-off">') and "requested" in html
    assert "toast" in response.headers["HX-Trigger"]


def test_an_unlinked_chef_user_cannot_request_time_off(as_role, day, dbq):
    client = as_role("chef")
    page = client.get("/s/alpha/chefs/me").get_data(as_text=True)
    assert "not linked to a chef profile" in page
    response = client.post_form("/s/alpha/chefs/me/time-off", {"first_day": day.isoformat(), "last_day": ""})
    assert response.status_code == 303
    assert dbq.count(TimeOff) == 0


def test_managers_record_approved_time_off(app, as_role, world, chefs, day, dbq):
    _, hana = chefs
    response = as_role("manager").post_form(
        f"/s/alpha/chefs/{hana.id}/time-off", {"first_day": day.isoformat(), "last_day": day.isoformat()}
    )
    assert response.status_code == 303
    entry = dbq.scalar(select(TimeOff))
    assert (entry.chef_id, entry.status, entry.decided_by_id) == (hana.id, "approved", world.users["manager"].id)
    assert _capacity(app, world, day)["12:00"] == 1


@pytest.mark.parametrize("role", ["staff", "chef"])
def test_only_managers_decide_time_off(as_role, chefs, day, seed, dbq, role):
    with seed():
        entry = TimeOffFactory(chef=chefs[0], first_day=day, last_day=day)
    response = as_role(role).post_form(f"/s/alpha/chefs/time-off/{entry.id}/decide", {"decision": "approve"})
    assert response.status_code == 403
    assert dbq.get(TimeOff, entry.id).status == "requested"


def test_managers_do_not_request_time_off_as_a_chef(as_role, day):
    response = as_role("manager").post_form("/s/alpha/chefs/me/time-off", {"first_day": day.isoformat()})
    assert response.status_code == 403


def test_time_off_of_another_station_answers_404(as_role, world, seed, day):
    with seed():
        beta_entry = TimeOffFactory(chef=ChefFactory(station_id=world.other.id), first_day=day, last_day=day)
    response = as_role("owner").post_form(f"/s/alpha/chefs/time-off/{beta_entry.id}/decide", {"decision": "approve"})
    assert response.status_code == 404


# --- blackout dates -------------------------------------------------------------------


def test_blackout_sets_capacity_to_zero_and_removal_restores_it(app, as_role, world, chefs, day, dbq):
    client = as_role("manager")
    response = client.post_form("/s/alpha/chefs/blackouts", {"day": day.isoformat(), "reason": "Holiday"})
    assert response.status_code == 303
    assert _capacity(app, world, day) == {"12:00": 0, "15:00": 0, "18:00": 0, "21:00": 0}
    assert _capacity(app, world, day + timedelta(days=1))["12:00"] == 2
    assert "blackout" in client.get("/s/alpha/chefs/").get_data(as_text=True)

    again = client.post_form("/s/alpha/chefs/blackouts", {"day": day.isoformat()}, follow_redirects=True)
    assert "already a blackout date" in again.get_data(as_text=True)
    assert dbq.count(Blackout) == 1

    blackout = dbq.scalar(select(Blackout))
    response = client.htmx("post", f"/s/alpha/chefs/blackouts/{blackout.id}/remove")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith('<div id="chef-blackouts">')
    assert "capacity-changed" in response.headers["HX-Trigger"]
    assert _capacity(app, world, day)["12:00"] == 2
    actions = [e.action for e in dbq.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["blackout.added", "blackout.removed"]


def test_blackout_with_htmx_and_a_booked_day_warns(as_role, world, chefs, day, seed):
    with seed():
        BookingFactory(customer=CustomerFactory(station_id=world.station.id), event_date=day)
    response = as_role("manager").htmx("post", "/s/alpha/chefs/blackouts", data={"day": day.isoformat()})
    assert response.status_code == 200
    assert day.strftime("%a %d %b %Y") in response.get_data(as_text=True)
    assert "still stand" in response.headers["HX-Trigger"]


def test_blackouts_in_the_past_are_refused(as_role, day, dbq):
    response = as_role("manager").htmx(
        "post", "/s/alpha/chefs/blackouts", data={"day": (day - timedelta(days=30)).isoformat()}
    )
    assert response.status_code == 422
    assert dbq.count(Blackout) == 0


def test_blackout_permissions_and_stations(as_role, world, seed, day):
    with seed():
        beta = BlackoutFactory(station_id=world.other.id, day=day)
    assert as_role("staff").post_form("/s/alpha/chefs/blackouts", {"day": day.isoformat()}).status_code == 403
    assert as_role("manager").post_form(f"/s/alpha/chefs/blackouts/{beta.id}/remove").status_code == 404


# --- schedules ------------------------------------------------------------------------


@pytest.fixture
def events(world, chefs, day, seed):
    """Kenji's two upcoming events (one completed in the past), Hana's one."""
    kenji, hana = chefs
    with seed():
        customer = CustomerFactory(station_id=world.station.id, name="Ada Lovelace", phone="+14045550100")
        mine = BookingFactory(
            customer=customer,
            chef_id=kenji.id,
            event_date=day,
            allergies="Severe peanut allergy",
            proteins=["Chicken", "NY strip"],
            upgrades={"lobster_tail": 2, "retired_item": 1},
            add_ons={"gyoza": 1, "edamame": 0},
            notes="Gate code 4321",
            total_cents=72500,
            paid_cents=10000,
        )
        later = BookingFactory(
            customer=customer, chef_id=kenji.id, event_date=day, slot_time="12:00", status="pending_deposit"
        )
        BookingFactory(customer=customer, chef_id=kenji.id, event_date=day, slot_time="15:00", status="cancelled")
        BookingFactory(customer=customer, chef_id=kenji.id, event_date=day - timedelta(days=20), status="completed")
        theirs = BookingFactory(customer=customer, chef_id=hana.id, event_date=day)
    return mine, later, theirs


def test_my_events_lists_the_chefs_upcoming_bookings(as_role, events):
    mine, later, theirs = events
    response = as_role("chef").get("/s/alpha/chefs/me")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/chefs/events/{mine.id}/sheet" in html and f"/chefs/events/{later.id}/sheet" in html
    assert f"/chefs/events/{theirs.id}/sheet" not in html
    assert html.count("/sheet") == 2  # neither cancelled nor past events
    assert "Request time off" in html and "Monday" in html


@pytest.mark.parametrize("role", ["owner", "manager", "staff"])
def test_my_events_is_for_chefs_only(as_role, role):
    assert as_role(role).get("/s/alpha/chefs/me").status_code == 403


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("staff", 200), ("chef", 403)])
def test_a_chefs_schedule_for_the_team(as_role, chefs, events, role, status):
    response = as_role(role).get(f"/s/alpha/chefs/{chefs[0].id}")
    assert response.status_code == status
    if status == 200:
        assert f"/chefs/events/{events[0].id}/sheet" in response.get_data(as_text=True)


# --- event sheets ---------------------------------------------------------------------


def test_event_sheet_shows_what_the_chef_needs(as_role, events):
    mine, _, _ = events
    response = as_role("chef").get(f"/s/alpha/chefs/events/{mine.id}/sheet")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        mine.address,
        "Ada Lovelace",
        "(404) 555-0100",
        "10 adults, 2 children, 1 toddler",
        "Chicken",
        "NY strip",
        "2 × Lobster tail",  # the station's label, not the key
        "1 × Retired item",
        "1 × Gyoza",
        "Gate code 4321",
        "$625.00",  # balance: 725.00 total - 100.00 paid
        "18:00",
    ):
        assert text in html, text
    assert "Edamame" not in html  # zero portions are left off
    assert 'class="chef-sheet-allergies" role="alert"' in html and "Severe peanut allergy" in html


def test_chefs_see_only_their_own_event_sheets(as_role, events):
    _, _, theirs = events
    assert as_role("chef").get(f"/s/alpha/chefs/events/{theirs.id}/sheet").status_code == 404


@pytest.mark.parametrize("role", ["owner", "manager", "staff"])
def test_the_team_sees_every_event_sheet_of_the_station(as_role, events, role):
    _, _, theirs = events
    assert as_role(role).get(f"/s/alpha/chefs/events/{theirs.id}/sheet").status_code == 200


def test_event_sheets_of_another_station_answer_404(as_role, world, seed):
    with seed():
        beta_chef = ChefFactory(station_id=world.other.id, user_id=world.users["chef"].id)
        booking = BookingFactory(customer=CustomerFactory(station_id=world.other.id), chef_id=beta_chef.id)
    for role in ("owner", "manager", "chef"):
        assert as_role(role).get(f"/s/alpha/chefs/events/{booking.id}/sheet").status_code == 404, role
