"""Owners open and edit stations; the audit entry lands in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin import services
from app.errors import ValidationFailed
from app.models.audit import AuditEntry
from app.models.station import Station

NEW_STATION = {
    "name": "Gamma Grill",
    "slug": "gamma",
    "timezone": "America/Denver",
    "address": "5 Larimer St",
    "zip_code": "80202",
    "phone": "+13035550100",
    "email": "gamma@example.com",
    "is_active": "y",
}


def test_stations_page_lists_stations_with_team_sizes(as_role):
    response = as_role("owner").get("/admin/stations")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha" in html and "Beta" in html


def test_owner_opens_a_station_with_an_audit_entry(as_role, world, dbq):
    response = as_role("owner").post_form("/admin/stations/new", NEW_STATION)
    assert response.status_code == 303
    assert response.location == "/s/gamma/settings/"

    station = dbq.scalar(select(Station).where(Station.slug == "gamma"))
    assert (station.name, station.timezone, station.zip_code, station.is_active) == (
        "Gamma Grill",
        "America/Denver",
        "80202",
        True,
    )
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "station.created"))
    assert entry.station_id == station.id
    assert entry.entity_type == "Station"
    assert entry.entity_id == str(station.id)
    assert entry.actor_id == world.users["owner"].id
    assert entry.after["slug"] == "gamma"
    assert entry.request_id == response.headers["X-Request-ID"]
    # The owner can open it straight away.
    assert as_role("owner").get("/s/gamma/").status_code == 200


def test_station_and_audit_entry_commit_together(monkeypatch, as_role, world, dbq):
    """If the audit entry cannot be written, the station is not created either."""

    def failing_record(*args, **kwargs):
        raise ValidationFailed("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", failing_record)
    client = as_role("owner")
    response = client.post_form("/admin/stations/new", NEW_STATION)
    assert response.status_code != 303
    assert b"audit log unavailable" in response.data
    assert dbq.count(Station, Station.slug == "gamma") == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Not A Slug", "Lower-case letters, digits and dashes."),
        ("slug", "-gamma", "Lower-case letters, digits and dashes."),
        ("zip_code", "8020", "5 digits."),
        ("zip_code", "80202-1234", "5 digits."),
        ("name", "", "Required."),
        ("timezone", "Mars/Olympus", "Choose a timezone from the list."),
    ],
)
def test_bad_station_fields_are_422_and_nothing_is_written(as_role, world, dbq, field, value, message):
    stations_before = dbq.count(Station)
    response = as_role("owner").post_form("/admin/stations/new", {**NEW_STATION, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert dbq.count(Station) == stations_before
    assert dbq.count(AuditEntry) == 0


def test_a_taken_slug_is_422(as_role, world, dbq):
    response = as_role("owner").post_form("/admin/stations/new", {**NEW_STATION, "slug": "beta"})
    assert response.status_code == 422
    assert "Another station uses that slug." in response.get_data(as_text=True)
    assert dbq.count(Station) == 2


def test_owner_edits_a_station_and_only_changes_are_audited(as_role, world, dbq):
    data = {**NEW_STATION, "name": "Alpha Prime", "slug": "alpha", "zip_code": "30313"}
    data.update(address="1 Main St", phone="+14045550100", email="alpha@example.com", timezone="America/New_York")
    response = as_role("owner").post_form(f"/admin/stations/{world.station.id}/edit", data)
    assert response.status_code == 303
    assert response.location == "/admin/stations"
    assert dbq.get(Station, world.station.id).name == "Alpha Prime"
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "station.updated"))
    assert entry.before == {"name": "Alpha"}
    assert entry.after == {"name": "Alpha Prime"}


def test_editing_to_another_stations_slug_is_refused(as_role, world, dbq):
    data = {**NEW_STATION, "slug": "beta"}
    response = as_role("owner").post_form(f"/admin/stations/{world.station.id}/edit", data)
    assert response.status_code == 422
    assert dbq.get(Station, world.station.id).slug == "alpha"
    assert dbq.get(Station, world.station.id).name == "Alpha"


def test_editing_a_missing_station_is_404(as_role, world):
    assert as_role("owner").get("/admin/stations/999999/edit").status_code == 404


def test_deactivated_station_is_closed_to_its_team_but_not_to_owners(as_role, world, dbq):
    data = {**NEW_STATION, "slug": "alpha", "name": "Alpha"}
    data.pop("is_active")  # an unticked checkbox is not sent
    assert as_role("owner").post_form(f"/admin/stations/{world.station.id}/edit", data).status_code == 303
    assert dbq.get(Station, world.station.id).is_active is False
    assert as_role("manager").get("/s/alpha/").status_code == 404
    assert as_role("owner").get("/s/alpha/").status_code == 200


@pytest.mark.parametrize("role", ["manager", "staff", "chef"])
def test_only_owners_manage_stations(as_role, world, dbq, role):
    client = as_role(role)
    assert client.get("/admin/stations").status_code == 403
    assert client.post_form("/admin/stations/new", NEW_STATION).status_code == 403
    assert dbq.count(Station, Station.slug == "gamma") == 0


def test_channel_addresses_are_normalised_and_unique_per_station(as_role, world, dbq):
    data = {**NEW_STATION, "slug": "alpha", "name": "Alpha", "sms_number": "(404) 555-0199"}
    data.update(instagram_account_id="17841400000000009", inbox_email="Hello@Alpha.Example")
    owner = as_role("owner")
    assert owner.post_form(f"/admin/stations/{world.station.id}/edit", data).status_code == 303
    alpha = dbq.get(Station, world.station.id)
    assert (alpha.sms_number, alpha.instagram_account_id, alpha.inbox_email) == (
        "+14045550199",
        "17841400000000009",
        "hello@alpha.example",
    )
    clash = {**NEW_STATION, "slug": "beta", "name": "Beta", "sms_number": "+1 404 555 0199"}
    response = owner.post_form(f"/admin/stations/{world.other.id}/edit", clash)
    assert response.status_code == 422 and b"Another station texts from that number" in response.data
    assert dbq.get(Station, world.other.id).sms_number is None
    bad = {**NEW_STATION, "slug": "beta", "name": "Beta", "sms_number": "12"}
    assert owner.post_form(f"/admin/stations/{world.other.id}/edit", bad).status_code == 422
