"""POST /quotes: the breakdown, and every kind of bad input."""

from __future__ import annotations

import math

from tests.api.conftest import API, assert_error, quote_body


def _quote(client, body):
    return client.post(f"{API}/quotes", json=body)


def test_ten_adults_and_two_children_cost_610_dollars(client, world):
    response = _quote(client, quote_body())
    assert response.status_code == 200
    body = response.get_json()
    assert body["station"] == "alpha"
    assert body["deposit_due_hours"] == 24
    quote = body["quote"]
    assert quote["total_cents"] == 61000
    assert quote["formatted"]["total"] == "$610.00"
    assert (quote["deposit_cents"], quote["balance_cents"]) == (10000, 51000)
    assert quote["minimum_applied"] is False
    assert quote["distance"] is None
    assert [(line["key"], line["amount_cents"]) for line in quote["lines"]] == [("adults", 55000), ("children", 6000)]
    assert quote["lines"][0]["amount"] == "$550.00"


def test_upgrades_add_ons_and_the_party_minimum(client, world):
    quote = _quote(client, quote_body(adults=4, children=0, upgrades={"lobster_tail": 2}, add_ons={"gyoza": 1}))
    quote = quote.get_json()["quote"]
    # 4 x 55 + 2 x 15 + 10 = 260, raised to the 550 minimum
    assert quote["minimum_applied"] is True
    assert quote["total_cents"] == 55000
    assert "minimum" in [line["kind"] for line in quote["lines"]]


def test_travel_is_priced_from_the_zip_code(client, world):
    near = _quote(client, quote_body(zip_code="30303")).get_json()["quote"]
    assert near["travel_cents"] == 0
    assert near["distance"]["estimate"] is True
    far = _quote(client, quote_body(zip_code="30601")).get_json()["quote"]  # Athens, GA
    miles = far["distance"]["miles"]
    assert 30 < miles < 150
    assert far["travel_cents"] == (math.ceil(miles) - 30) * 200
    assert far["total_cents"] == 61000 + far["travel_cents"]


def test_outside_the_service_radius_is_422(client, world):
    error = assert_error(_quote(client, quote_body(zip_code="90210")), 422, "outside_service_area")
    assert "zip_code" in error["fields"]
    assert "miles" in error["message"]


def test_unknown_zip_code_is_422_on_zip_code(client, world):
    error = assert_error(_quote(client, quote_body(zip_code="00000")), 422, "unknown_zip")
    assert set(error["fields"]) == {"zip_code"}


def test_unknown_upgrade_key_is_422_naming_it(client, world):
    error = assert_error(_quote(client, quote_body(upgrades={"caviar": 1})), 422)
    assert "upgrades.caviar" in error["fields"]


def test_malformed_json_is_400(client, world):
    for data, code in (
        ("{not json", "malformed_json"),
        ("[1, 2]", "not_an_object"),
        ("", "empty_body"),
        ('"text"', "not_an_object"),
        ('{"adults": NaN}', "malformed_json"),
    ):
        response = client.post(f"{API}/quotes", data=data, content_type="application/json")
        assert_error(response, 400, code)


def test_a_body_is_read_as_json_whatever_its_content_type(client, world):
    import json

    response = client.post(f"{API}/quotes", data=json.dumps(quote_body()), content_type="text/plain")
    assert response.status_code == 200


def test_missing_fields_wrong_types_and_extra_fields_are_422(client, world):
    error = assert_error(_quote(client, {"station": "alpha"}), 422, "validation_failed")
    assert "adults" in error["fields"]
    error = assert_error(_quote(client, quote_body(adults="10", children=-1)), 422)
    assert {"adults", "children"} <= set(error["fields"])
    error = assert_error(_quote(client, quote_body(discount_cents=5000)), 422)
    assert "discount_cents" in error["fields"]
    error = assert_error(_quote(client, quote_body(adults=10.5, zip_code="3030")), 422)
    assert {"adults", "zip_code"} <= set(error["fields"])
    error = assert_error(_quote(client, quote_body(upgrades={"salmon": 0})), 422)
    assert "upgrades.salmon" in error["fields"]


def test_unknown_station_is_404(client, world):
    error = assert_error(_quote(client, quote_body(station="atlantis")), 404, "station_not_found")
    assert "station" in error["fields"]


def test_a_huge_body_is_413(client, world):
    response = _quote(client, quote_body(notes="x" * 70_000))
    assert_error(response, 413, "body_too_large")


def test_zip_codes_of_non_ascii_digits_are_422_not_a_crash(client, world):
    # The schema's \d{5} lets them through; the ZIP library would panic on them.
    for zip_code in ("٣٠٣٠٣", "３０３０３"):
        error = assert_error(_quote(client, quote_body(zip_code=zip_code)), 422)
        assert "zip_code" in error["fields"]
