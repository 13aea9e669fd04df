"""No query parameter makes a 500: numbers are validated in one place (app.web.params).

`?page=99999999999999999999` used to reach PostgreSQL as an OFFSET and fail with
"bigint out of range" (SQLite overflows too); `?station=` and other id filters reached
SQL the same way. The walk sends hostile values of every numeric parameter the app reads
to every GET URL (as an owner, who may open them all) and asks for no 5xx; the unit tests
pin the one parser's answers.
"""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from app.web.params import MAX_PAGE, int_arg, page_arg
from tests.test_url_walk import build_url, url_values, walked_rules  # noqa: F401

NUMERIC_PARAMS = (
    "page",
    "station",
    "chef",
    "canned_id",
    "after",
    "days",
    "scale",
    "rating",
    "owner",
    "segment_id",
    "per_page",
)
HOSTILE = [
    "99999999999999999999",  # past bigint: the OFFSET and the id comparisons overflowed
    "2147483648",  # integer max + 1
    "-1",
    "٣",  # an Arabic-Indic digit: str.isdigit() says yes, the database says no
    "1" * 5000,  # int() refuses more than 4,300 digits
    "NaN",
]


def test_no_numeric_query_value_makes_a_500_anywhere(app, world, url_values, as_role):  # noqa: F811
    """Every GET URL, as an owner (who may open them all), with every numeric parameter hostile."""
    client = as_role("owner")
    problems = []
    for value in HOSTILE:
        query = "&".join(f"{name}={value}" for name in NUMERIC_PARAMS)
        # HTMX requests take other branches (fragments): walked with the first value.
        variants = ({}, {"HX-Request": "true"}) if value == HOSTILE[0] else ({},)
        for rule in walked_rules(app):
            if "GET" not in rule.methods:
                continue
            url = build_url(rule, url_values, "alpha", "alpha")
            for headers in variants:
                try:
                    response = client.get(f"{url}?{query}", headers=headers)
                except Exception as exc:  # noqa: BLE001 - the testing app propagates what would be a 500
                    problems.append(f"{url}?…={value[:20]} ({rule.endpoint}, {headers}) raised {exc!r:.200}")
                    continue
                if response.status_code >= 500:
                    problems.append(
                        f"{url}?…={value[:20]} ({rule.endpoint}, {headers}) answered {response.status_code}"
                    )
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/s/alpha/bookings/", "manager"),
        ("/s/alpha/customers/", "manager"),
        ("/s/alpha/inbox/", "manager"),
        ("/s/alpha/leads/list", "manager"),
        ("/s/alpha/reviews/", "manager"),
        ("/s/alpha/newsletter/", "manager"),
        ("/s/alpha/newsletter/subscribers", "manager"),
        ("/s/alpha/payments/", "manager"),
        ("/admin/users", "owner"),
        ("/admin/audit", "owner"),
        ("/admin/messages", "owner"),
    ],
)
def test_a_page_number_past_what_the_database_holds_shows_an_empty_last_page(as_role, world, path, who):
    client = as_role(who)
    for page in ("99999999999999999999", "9223372036854775808", "-5", "٣", "1" * 5000):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200, page


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/messages"])
def test_a_station_filter_out_of_range_is_a_clear_400(as_role, world, path):
    response = as_role("owner").get(f"{path}?station=99999999999999999999")
    assert response.status_code == 400
    assert "station" in response.get_data(as_text=True).lower()


def _args(**values) -> MultiDict:
    return MultiDict(values)


def test_page_arg_clamps_into_the_range_the_database_holds():
    assert page_arg(_args()) == 1
    assert page_arg(_args(page="")) == 1
    assert page_arg(_args(page="3")) == 3
    assert page_arg(_args(page=" 3 ")) == 3
    assert page_arg(_args(page="100000")) == 100000
    for low in ("0", "-1", "abc", "1.5", "٣", "1e9"):
        assert page_arg(_args(page=low)) == 1, low
    for high in ("100001", "99999999999999999999", "1" * 5000):
        assert page_arg(_args(page=high)) == MAX_PAGE


def test_int_arg_names_the_parameter_and_its_range():
    assert int_arg(_args(), "station") is None
    assert int_arg(_args(station="12"), "station") == 12
    with pytest.raises(BadRequest) as caught:
        int_arg(_args(station="2147483648"), "station")
    assert caught.value.description == "'station' must be a whole number from 1 to 2147483647."
    with pytest.raises(BadRequest):
        int_arg(_args(days="0"), "days", minimum=1, maximum=365)
    assert int_arg(_args(days="365"), "days", minimum=1, maximum=365) == 365
