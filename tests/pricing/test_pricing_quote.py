"""Quote examples with the default numbers of docs/design.md, and the refusals."""

from __future__ import annotations

import json

import pytest

from app.errors import ValidationFailed
from app.pricing import (
    DistanceResult,
    OutsideServiceArea,
    PartyRequest,
    Quote,
    format_money,
    quote,
)
from app.stations.settings import DEFAULT_SETTINGS, StationSettings


def near(miles: float) -> DistanceResult:
    return DistanceResult(miles=miles, estimate=True, method="zip-centroid")


def kinds(q: Quote) -> list[str]:
    return [line.kind for line in q.lines]


def test_adults_and_children_above_minimum():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, children=2))
    assert [(line.label, line.quantity, line.unit_cents, line.amount_cents) for line in q.lines] == [
        ("Adults (13+)", 10, 5500, 55000),
        ("Children (6-12)", 2, 3000, 6000),
    ]
    assert q.subtotal_cents == q.total_cents == 61000
    assert not q.minimum_applied
    assert q.deposit_cents == 10000 and q.balance_cents == 51000
    assert q.currency == "USD" and q.distance_miles is None and q.travel_cents == 0


def test_small_party_is_raised_to_the_minimum():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=4))
    assert q.minimum_applied
    line = q.lines[-1]
    assert line.kind == "minimum"
    assert line.label == "Raised to the party minimum of $550.00"
    assert line.amount_cents == 55000 - 4 * 5500
    assert q.subtotal_cents == q.total_cents == 55000


def test_party_exactly_at_minimum_has_no_minimum_line():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=10))
    assert q.total_cents == 55000 and not q.minimum_applied and "minimum" not in kinds(q)


def test_toddlers_are_free_but_listed():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, toddlers=3))
    toddlers = q.lines[-1]
    assert (toddlers.label, toddlers.quantity, toddlers.amount_cents) == ("Children under 6 (free)", 3, 0)
    assert q.total_cents == 55000


def test_upgrades_and_add_ons_per_portion():
    party = PartyRequest(
        adults=10, upgrades={"lobster_tail": 3, "extra_protein": 2}, add_ons={"gyoza": 1, "edamame": 4}
    )
    q = quote(DEFAULT_SETTINGS, party)
    by_key = {line.key: line for line in q.lines}
    assert by_key["lobster_tail"].amount_cents == 4500  # lobster x3 = $45
    assert by_key["extra_protein"].amount_cents == 2000
    assert by_key["gyoza"].amount_cents == 1000 and by_key["edamame"].amount_cents == 2000
    assert kinds(q) == ["guests", "upgrade", "upgrade", "add_on", "add_on"]
    # Menu order, not request order, so every breakdown reads the same way.
    assert [line.key for line in q.lines[1:]] == ["lobster_tail", "extra_protein", "edamame", "gyoza"]
    assert q.total_cents == 55000 + 4500 + 2000 + 3000


def test_extras_count_toward_the_minimum():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=8, upgrades={"lobster_tail": 8}))
    assert q.minimum_applied is False and q.total_cents == 8 * 5500 + 8 * 1500


def test_travel_beyond_free_miles():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, distance=near(45.0)))
    travel = q.lines[-1]
    assert (travel.kind, travel.quantity, travel.unit_cents, travel.amount_cents) == ("travel", 15, 200, 3000)
    assert travel.label == "Travel: 15 mi beyond the first 30 free (about 45.0 mi)"
    assert q.travel_cents == 3000 and q.total_cents == 58000
    assert q.distance_miles == 45.0 and q.distance_is_estimate is True


def test_part_miles_round_up_and_free_miles_cost_nothing():
    assert quote(DEFAULT_SETTINGS, PartyRequest(adults=10, distance=near(30.1))).travel_cents == 200
    within = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, distance=near(30.0)))
    assert within.travel_cents == 0 and within.lines[-1].kind == "travel"
    assert within.lines[-1].label.startswith("Travel: within the first 30 free miles")


def test_travel_is_not_absorbed_by_the_minimum():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=2, distance=near(40.0)))
    assert q.subtotal_cents == 55000 and q.travel_cents == 2000 and q.total_cents == 57000


def test_discount_applies_after_travel():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, discount_cents=5000, distance=near(45.0)))
    assert q.lines[-1].kind == "discount" and q.lines[-1].amount_cents == -5000
    assert q.discount_cents == 5000 and q.total_cents == 55000 + 3000 - 5000


def test_discount_is_capped_at_the_total():
    q = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, discount_cents=1_000_000))
    assert q.discount_cents == 55000 and q.total_cents == 0
    assert q.deposit_cents == 0 and q.balance_cents == 0
    assert sum(line.amount_cents for line in q.lines) == 0


def test_deposit_never_exceeds_the_total():
    cheap = StationSettings(party_minimum_cents=0, adult_price_cents=4000)
    q = quote(cheap, PartyRequest(adults=2))
    assert q.total_cents == 8000 and q.deposit_cents == 8000 and q.balance_cents == 0


def test_station_settings_change_the_price():
    settings = StationSettings(adult_price_cents=6000, party_minimum_cents=70000, travel_free_miles=10)
    q = quote(settings, PartyRequest(adults=10, distance=near(12.0)))
    assert q.lines[1].label == "Raised to the party minimum of $700.00"
    assert q.travel_cents == 400 and q.total_cents == 70400


def test_outside_service_area_names_distance_and_radius():
    with pytest.raises(OutsideServiceArea) as info:
        quote(DEFAULT_SETTINGS, PartyRequest(adults=10, distance=near(182.4)), station_name="Atlanta")
    err = info.value
    assert err.message == "That address is about 182.4 miles away; Atlanta serves parties within 150 miles."
    assert err.code == "outside_service_area" and err.status == 422
    assert isinstance(err, ValidationFailed) and err.fields == {"zip_code": err.message}
    assert (err.miles, err.radius_miles) == (182.4, 150)


def test_outside_service_area_without_station_name():
    with pytest.raises(OutsideServiceArea, match="we serve parties within 150 miles"):
        quote(DEFAULT_SETTINGS, PartyRequest(adults=10, distance=near(150.1)))
    assert quote(DEFAULT_SETTINGS, PartyRequest(adults=10, distance=near(150.0))).travel_cents == 24000


@pytest.mark.parametrize(
    ("party", "field", "message"),
    [
        (PartyRequest(adults=0), "adults", "At least one adult"),
        (PartyRequest(adults=-1), "adults", "Cannot be negative"),
        (PartyRequest(adults=5, children=-2), "children", "Cannot be negative"),
        (PartyRequest(adults=5, toddlers=201), "toddlers", "At most 200"),
        (PartyRequest(adults=201), "adults", "At most 200"),
        (PartyRequest(adults=5, upgrades={"salmon": 0}), "upgrades.salmon", "from 1 to 200"),
        (PartyRequest(adults=5, add_ons={"gyoza": 201}), "add_ons.gyoza", "from 1 to 200"),
        (PartyRequest(adults=5, discount_cents=-1), "discount_cents", "non-negative"),
        (PartyRequest(adults="5"), "adults", "whole number"),  # type: ignore[arg-type]
    ],
)
def test_invalid_parties_are_refused_by_field(party, field, message):
    with pytest.raises(ValidationFailed) as info:
        quote(DEFAULT_SETTINGS, party)
    assert message in info.value.fields[field]
    assert info.value.code == "validation_failed"


def test_unknown_menu_keys_list_the_valid_ones():
    party = PartyRequest(adults=5, upgrades={"wagyu": 1}, add_ons={"sushi": 2})
    with pytest.raises(ValidationFailed) as info:
        quote(DEFAULT_SETTINGS, party)
    fields = info.value.fields
    valid = "salmon, scallops, filet_mignon, lobster_tail, extra_protein"
    assert fields["upgrades.wagyu"] == f"There is no upgrade 'wagyu'; choose from: {valid}."
    assert fields["add_ons.sushi"].startswith("There is no add-on 'sushi'; choose from: yakisoba,")


def test_all_problems_are_reported_at_once():
    with pytest.raises(ValidationFailed) as info:
        quote(DEFAULT_SETTINGS, PartyRequest(adults=0, children=-1, upgrades={"x": 1}))
    assert set(info.value.fields) == {"adults", "children", "upgrades.x"}


def test_as_dict_is_json_safe_and_round_trips():
    party = PartyRequest(adults=3, children=1, toddlers=1, upgrades={"salmon": 2}, discount_cents=500)
    q = quote(DEFAULT_SETTINGS, PartyRequest(**{**party.__dict__, "distance": near(61.3)}))
    data = json.loads(json.dumps(q.as_dict()))
    assert data["version"] == 1
    assert data["distance"] == {"miles": 61.3, "estimate": True, "method": "zip-centroid"}
    assert data["lines"][0] == {
        "label": "Adults (13+)",
        "quantity": 3,
        "unit_cents": 5500,
        "amount_cents": 16500,
        "kind": "guests",
        "key": "adults",
    }
    assert Quote.from_dict(data) == q
    no_distance = quote(DEFAULT_SETTINGS, party)
    assert no_distance.as_dict()["distance"] is None
    assert Quote.from_dict(no_distance.as_dict()) == no_distance


def test_from_fields_parses_form_strings_and_drops_zero_quantities():
    form = {"adults": "12", "children": "", "upgrades": {"salmon": "2", "scallops": "0"}, "discount_cents": 9}
    party = PartyRequest.from_fields(form)
    assert party == PartyRequest(adults=12, children=0, upgrades={"salmon": 2})  # discount ignored


def test_from_fields_refuses_non_numbers():
    with pytest.raises(ValidationFailed) as info:
        body = {"adults": "ten", "children": 1.5, "add_ons": ["gyoza"], "upgrades": {"x": "1e3"}}
        PartyRequest.from_fields(body)
    assert set(info.value.fields) == {"adults", "children", "add_ons", "upgrades.x"}


@pytest.mark.parametrize(
    ("cents", "currency", "locale", "expected"),
    [
        (55000, "USD", "en_US", "$550.00"),
        (123456789, "USD", "en_US", "$1,234,567.89"),
        (-5000, "USD", "en_US", "-$50.00"),
        (5, "USD", "en_US", "$0.05"),
        (1234, "EUR", "de_DE", "12,34\xa0€"),
        (1234, "JPY", "ja_JP", "￥1,234"),
    ],
)
def test_format_money(cents, currency, locale, expected):
    assert format_money(cents, currency, locale) == expected
