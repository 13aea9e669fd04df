"""quote_for_station: fields from a form or JSON body, a real station, real ZIP distances."""

from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.models.station import Station
from app.pricing import OutsideServiceArea, UnknownZip, ZipCentroidProvider, quote_for_station

OFFLINE: dict[str, str] = {}  # no ROUTING_API_URL: the ZIP-centroid provider


def atlanta(**overrides) -> Station:
    """An unsaved Station: pricing reads only name, zip_code and settings."""
    return Station(slug="atl", name="Atlanta", zip_code="30313", settings_overrides=overrides)


def test_prices_a_party_with_travel_from_the_station():
    q = quote_for_station(atlanta(), {"adults": "10", "children": 2}, to_zip="30303", config=OFFLINE)
    expected_miles = ZipCentroidProvider().miles("30313", "30303").miles
    assert q.distance_miles == expected_miles and q.distance_is_estimate
    assert q.travel_cents == 0 and q.total_cents == 61000
    assert q.lines[-1].kind == "travel"


def test_without_a_zip_there_is_no_travel_line():
    q = quote_for_station(atlanta(), {"adults": 4}, to_zip=None, config=OFFLINE)
    assert q.distance_miles is None and q.minimum_applied and q.total_cents == 55000


def test_station_overrides_are_used():
    station = atlanta(adult_price_cents=6000, deposit_cents=20000)
    q = quote_for_station(station, {"adults": 10}, to_zip=None, config=OFFLINE)
    assert q.total_cents == 60000 and q.deposit_cents == 20000


def test_dallas_is_outside_atlanta_service_area():
    with pytest.raises(OutsideServiceArea) as info:
        quote_for_station(atlanta(), {"adults": 10}, to_zip="75201", config=OFFLINE)
    message = info.value.message
    assert message.startswith("That address is about ")
    assert message.endswith(" miles away; Atlanta serves parties within 150 miles.")
    assert info.value.miles > 150


def test_discount_only_from_the_keyword_never_from_the_body():
    body = {"adults": 10, "discount_cents": 55000}
    assert quote_for_station(atlanta(), body, to_zip=None, config=OFFLINE).total_cents == 55000
    staff = quote_for_station(atlanta(), body, to_zip=None, config=OFFLINE, discount_cents=5000)
    assert staff.total_cents == 50000 and staff.discount_cents == 5000


def test_unknown_party_zip_is_reported_on_zip_code():
    with pytest.raises(UnknownZip) as info:
        quote_for_station(atlanta(), {"adults": 10}, to_zip="00000", config=OFFLINE)
    assert info.value.fields == {"zip_code": "We do not know the ZIP code 00000."}


def test_zip_and_party_problems_come_back_together():
    body = {"adults": 0, "upgrades": {"wagyu": 1}}
    with pytest.raises(ValidationFailed) as info:
        quote_for_station(atlanta(), body, to_zip="00000", config=OFFLINE)
    assert set(info.value.fields) == {"adults", "upgrades.wagyu", "zip_code"}
    with pytest.raises(ValidationFailed) as info:
        quote_for_station(atlanta(), {"adults": "many"}, to_zip="", config=OFFLINE)
    assert info.value.fields == {
        "adults": "A whole number, please.",
        "zip_code": "Enter a 5-digit US ZIP code.",
    }


@pytest.mark.parametrize("station_zip", ["", "00000"])
def test_a_station_without_a_known_zip_is_a_setup_problem(station_zip):
    station = atlanta()
    station.zip_code = station_zip
    with pytest.raises(ValidationFailed) as info:
        quote_for_station(station, {"adults": 10}, to_zip="30303", config=OFFLINE)
    assert list(info.value.fields) == ["station.zip_code"]
    assert "Atlanta" in info.value.message


def test_routing_config_is_honoured(httpserver):
    path = "/route/v1/driving/-84.393500,33.768300;-84.388800,33.752500"  # lon,lat of the two ZIPs
    fifty_miles = {"code": "Ok", "routes": [{"distance": 80467.2}]}
    httpserver.expect_request(path).respond_with_json(fifty_miles)
    config = {"ROUTING_API_URL": httpserver.url_for("/")}
    q = quote_for_station(atlanta(), {"adults": 10}, to_zip="30303", config=config)
    assert q.distance_miles == 50.0 and q.travel_cents == 20 * 200
    assert q.as_dict()["distance"]["method"] == "routing"


def test_outside_the_area_is_said_before_field_corrections():
    with pytest.raises(OutsideServiceArea):
        quote_for_station(atlanta(), {"adults": 0}, to_zip="75201", config=OFFLINE)


def test_a_body_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationFailed) as info:
        quote_for_station(atlanta(), ["adults", 10], to_zip=None, config=OFFLINE)  # type: ignore[arg-type]
    assert list(info.value.fields) == ["body"]
