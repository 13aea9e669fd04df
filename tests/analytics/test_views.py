"""The analytics pages: who may see what, HTMX fragments, CSV exports, query counts."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.analytics.dataset import ARGS
from tests.test_url_walk import INLINE_CODE

PAGES = ["", "revenue", "funnel", "operations", "conversations", "reviews"]
BETA_ONLY = ["$999", "Beta Person", "Beta lead", "Beta"]  # B X1 is $999.00; beta's station name


def url(page: str) -> str:
    return f"/s/alpha/analytics/{page}"


@pytest.mark.parametrize("who", ["staff", "chef"])
def test_staff_and_chefs_get_403(as_role, world, who):
    client = as_role(who)
    for page in PAGES:
        assert client.get(url(page)).status_code == 403
    assert client.get(url("export.csv"), query_string={"page": "revenue", "table": "by_period"}).status_code == 403


def test_another_stations_manager_gets_404(as_role, world):
    assert as_role("other_manager").get(url("revenue")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_manager_sees_own_station_only_even_asking_for_all(as_role, dataset, page):
    response = as_role("manager").get(url(page), query_string={**ARGS, "scope": "all"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for leak in BETA_ONLY:
        assert leak not in html
    assert 'name="scope"' not in html  # no station filter offered to managers
    assert not INLINE_CODE.search(html)


def test_owner_chooses_all_stations(as_role, dataset):
    client = as_role("owner")
    one = client.get(url("revenue"), query_string=ARGS).get_data(as_text=True)
    assert 'name="scope"' in one
    assert "$999" not in one
    every = client.get(url("revenue"), query_string={**ARGS, "scope": "all"}).get_data(as_text=True)
    assert "$999" in every and "Beta" in every
    assert '<option value="all" selected>' in every


def test_htmx_gets_the_body_fragment_and_plain_requests_the_page(as_role, dataset):
    client = as_role("manager")
    page = client.get(url("funnel"), query_string=ARGS)
    assert "<html" in page.get_data(as_text=True)
    assert 'hx-push-url="true"' in page.get_data(as_text=True)
    fragment = client.get(url("funnel"), query_string=ARGS, headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert "Leads to completed parties" in body
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_every_table_has_a_csv_link_with_the_same_filters(as_role, dataset):
    html = as_role("manager").get(url("operations"), query_string={**ARGS, "grain": "week"}).get_data(as_text=True)
    links = re.findall(r'href="([^"]*export\.csv[^"]*)"', html)
    assert len(links) == 5
    for link in links:
        assert "from=2026-01-01" in link and "to=2026-03-31" in link and "grain=week" in link


def test_csv_export(as_role, dataset):
    response = as_role("manager").get(url("export.csv"), query_string={**ARGS, "page": "revenue", "table": "by_period"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="teppan-revenue-by_period-alpha-2026-01-01-to-2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Period", "Bookings made", "Booked value ($)", "Deposits collected ($)"]
    assert rows[1][:4] == ["2026-01-01", "2", "1160.00", "200.00"]
    assert len(rows) == 4


def test_csv_of_all_stations_for_the_owner(as_role, dataset):
    response = as_role("owner").get(
        url("export.csv"), query_string={**ARGS, "scope": "all", "page": "reviews", "table": "ratings"}
    )
    assert "all-stations" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["2026-02-01", "Beta", "1", "1.00"] in rows


def test_csv_of_an_unknown_table_is_404(as_role, world):
    client = as_role("manager")
    assert client.get(url("export.csv"), query_string={"page": "revenue", "table": "nope"}).status_code == 404
    assert client.get(url("export.csv"), query_string={"page": "nope", "table": "by_period"}).status_code == 404


def test_bad_filters_fall_back_and_say_so(as_role, world):
    html = (
        as_role("manager").get(url("revenue"), query_string={"from": "junk", "to": "2026-01-01"}).get_data(as_text=True)
    )
    assert "The start date was not a date" in html
    assert 'value="2025-10-04"' in html  # 90 days up to the end date


def test_comparison_can_be_switched_off(as_role, dataset):
    html = as_role("manager").get(url("reviews"), query_string={**ARGS, "compare": "none"}).get_data(as_text=True)
    assert "compared with" not in html and "% vs" not in html


@pytest.mark.parametrize("page", PAGES)
def test_query_count_is_bounded_and_does_not_grow_with_rows(as_role, app, world, dataset, count_queries, page):
    client = as_role("owner")
    with count_queries() as few:
        assert client.get(url(page), query_string={**ARGS, "scope": "all"}).status_code == 200
    with app.app_context():
        from app.extensions import db
        from tests.analytics.conftest import run_jobs
        from tests.analytics.dataset import build_dataset

        build_dataset(world.station.id, world.other.id, tag="x")  # the dataset twice over
        db.session.commit()
        run_jobs()  # the periodic catch-up ran (else the page catches up first)
    with count_queries() as many:
        client.get(url(page), query_string={**ARGS, "scope": "all"})
    assert many.count == few.count
    assert few.count <= 30, few.statements


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_with_no_data_at_all(as_role, world, page):
    html = as_role("owner").get(url(page), query_string={"scope": "all"}).get_data(as_text=True)
    assert "Analytics" in html
    if page:
        assert "Nothing in this period." in html


def test_day_grain_and_long_ranges(as_role, dataset):
    client = as_role("manager")
    days = client.get(url("revenue"), query_string={"from": "2026-01-25", "to": "2026-02-05", "grain": "day"})
    assert "Sat 31 Jan 2026" in days.get_data(as_text=True)  # B1, 23:30 local on the 31st
    years = client.get(url("revenue"), query_string={"from": "2020-01-01", "to": "2026-03-31", "grain": "day"})
    html = years.get_data(as_text=True)
    assert "At most 1098 days at a time" in html
    assert '<option value="week" selected>' in html  # a day grain over years would draw 1,000 bars
