"""Station settings: money parsing, validation by field, only owners, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.station import Station
from app.settings.services import FieldProblem, _cents, form_values, parse_form
from app.stations.settings import DEFAULT_SETTINGS

URL = "/s/alpha/settings/"


def defaults_form(**changes: str) -> dict[str, str]:
    return {**form_values(DEFAULT_SETTINGS), **changes}


def overrides(dbq) -> dict:
    return dbq.scalar(select(Station.settings_overrides).where(Station.slug == "alpha"))


@pytest.mark.parametrize(
    ("text", "cents"),
    [("55", 5500), ("55.5", 5550), ("55.50", 5550), ("$1,234.56", 123456), (" 0 ", 0), ("0.01", 1)],
)
def test_money_is_parsed_to_cents(text, cents):
    assert _cents(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "5.555", "NaN", "Infinity", "1e400", "1e30", "$"])
def test_bad_money_is_a_field_problem(text):
    with pytest.raises(FieldProblem):
        _cents(text)


def test_the_form_round_trips_the_defaults():
    assert parse_form(form_values(DEFAULT_SETTINGS)) == DEFAULT_SETTINGS
    assert DEFAULT_SETTINGS.overrides() == {}


def test_errors_are_reported_by_field():
    with pytest.raises(ValidationFailed) as caught:
        parse_form(
            defaults_form(
                adult_price_cents="abc",
                lead_time_hours="two days",
                slot_times="12:00, 25:00",
                upgrades="salmon | Salmon",
            )
        )
    fields = caught.value.fields
    assert fields["adult_price_cents"] == "Enter an amount like 55 or 55.00"
    assert fields["lead_time_hours"] == "Enter a whole number."
    assert fields["upgrades"] == "Row 1: fill in the key, the label and the price"
    # slot_times is checked by the model once the parsing succeeded everywhere
    assert "slot_times" not in fields


def test_model_rules_are_reported_too():
    with pytest.raises(ValidationFailed) as caught:
        parse_form(defaults_form(slot_times="12:00, 25:00"))
    assert "25:00" in caught.value.fields["slot_times"]
    with pytest.raises(ValidationFailed) as caught:
        parse_form(defaults_form(child_min_age="14"))
    assert "form" in caught.value.fields


def test_owner_saves_prices_in_dollars_stored_as_cents(as_role, world, dbq):
    response = as_role("owner").post_form(
        URL, defaults_form(adult_price_cents="60.50", party_minimum_cents="$1,200", slot_times="18:00, 12:00")
    )
    assert response.status_code == 303
    assert response.location == URL
    assert overrides(dbq) == {
        "adult_price_cents": 6050,
        "party_minimum_cents": 120000,
        "slot_times": ["12:00", "18:00"],
    }
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "station.settings_changed"))
    assert entry.station_id == world.station.id
    assert entry.before["adult_price_cents"] == 5500
    assert entry.after["adult_price_cents"] == 6050
    # The page shows the saved values back in dollars.
    page = as_role("owner").get(URL).get_data(as_text=True)
    assert 'value="60.50"' in page


def test_saving_unchanged_settings_writes_no_audit_entry(as_role, world, dbq):
    assert as_role("owner").post_form(URL, defaults_form()).status_code == 303
    assert dbq.count(AuditEntry) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("adult_price_cents", "lots", "Enter an amount like 55 or 55.00"),
        ("deposit_cents", "-100", "Enter a positive amount with at most 2 decimals"),
        ("deposit_cents", "1e400", "Enter a positive amount with at most 2 decimals"),
        ("horizon_days", "9999", "Enter 730 or less."),  # pydantic's error, in words
        ("quiet_hours_start", "9pm", "is not a time like 21:00"),
        ("proteins_per_guest", "2.5", "Enter a whole number."),
    ],
)
def test_bad_values_are_422_with_the_field_error_and_nothing_saved(as_role, world, dbq, field, value, message):
    form = defaults_form(adult_price_cents="70")
    form[field] = value
    response = as_role("owner").post_form(URL, form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="s-{field}"' in html
    assert 'aria-invalid="true"' in html
    assert overrides(dbq) == {}  # not even the valid adult price
    assert dbq.count(AuditEntry) == 0


def test_settings_are_per_station(as_role, world, dbq):
    as_role("owner").post_form(URL, defaults_form(deposit_cents="150"))
    assert overrides(dbq) == {"deposit_cents": 15000}
    assert dbq.scalar(select(Station.settings_overrides).where(Station.slug == "beta")) == {}


@pytest.mark.parametrize("role", ["manager", "staff", "chef"])
def test_only_owners_change_settings(as_role, world, dbq, role):
    client = as_role(role)
    assert client.get(URL).status_code == 403
    assert client.post_form(URL, defaults_form(adult_price_cents="1")).status_code == 403
    assert overrides(dbq) == {}


def test_ways_to_pay_and_gratuity_are_settings_staff_edit(as_role, world, dbq):
    form = defaults_form(payment_methods="Cash\nVenmo @teppan-atl\nCard on the day", gratuity_percent="18")
    assert as_role("owner").post_form(URL, form).status_code == 303
    assert overrides(dbq) == {
        "payment_methods": ["Cash", "Venmo @teppan-atl", "Card on the day"],
        "gratuity_percent": 18,
    }
    saved = dbq.scalar(select(Station).where(Station.slug == "alpha")).settings
    assert saved.payment_methods_text() == "cash, Venmo @teppan-atl or Card on the day"
    assert saved.gratuity_text() == "Gratuity is never required; 18% is customary."


def test_the_defaults_say_what_the_pages_said_before():
    assert DEFAULT_SETTINGS.payment_methods_text() == "cash, Venmo, Zelle or check"
    assert DEFAULT_SETTINGS.gratuity_text() == "Gratuity is appreciated but never required."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payment_methods", "", "Name at least one way to pay."),
        ("payment_methods", "Cash\ncash", "Ways to pay repeat."),
        ("gratuity_percent", "80", "Enter 50 or less."),
    ],
)
def test_bad_ways_to_pay_or_gratuity_are_refused(as_role, world, dbq, field, value, message):
    response = as_role("owner").post_form(URL, defaults_form(**{field: value}))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert overrides(dbq) == {}


def test_saving_the_form_keeps_the_settings_it_does_not_show(app, as_role, world, dbq):
    hidden = {"ai_daily_budget_cents": 1200, "currency": "EUR", "locale": "fr_FR"}
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        station.settings_overrides = dict(hidden)
        db.session.commit()

    response = as_role("owner").post_form(URL, defaults_form(adult_price_cents="60"))

    assert response.status_code == 303
    assert overrides(dbq) == hidden | {"adult_price_cents": 6000}


def _rows_form(**changes) -> dict:
    """The defaults as the page posts them: scalars as inputs, lists as rows."""
    form = {
        k: v
        for k, v in defaults_form().items()
        if k not in ("upgrades", "add_ons", "proteins", "payment_methods", "slot_times")
    }
    for index, item in enumerate(DEFAULT_SETTINGS.add_ons):
        form |= {
            f"add_ons-{index}-key": item.key,
            f"add_ons-{index}-label": item.label,
            f"add_ons-{index}-price": f"{item.price_cents / 100:.2f}",
        }
    for index, item in enumerate(DEFAULT_SETTINGS.upgrades):
        form |= {
            f"upgrades-{index}-key": item.key,
            f"upgrades-{index}-label": item.label,
            f"upgrades-{index}-price": f"{item.price_cents / 100:.2f}",
        }
    for name in ("proteins", "payment_methods", "slot_times"):
        form |= {f"{name}-{index}-value": value for index, value in enumerate(getattr(DEFAULT_SETTINGS, name))}
    return form | changes


def test_the_page_shows_lists_as_rows_with_blank_rows_to_add(as_role, world):
    html = as_role("owner").get(URL).get_data(as_text=True)
    assert "<textarea" not in html
    assert 'name="upgrades-0-key" value="salmon"' in html
    blank = len(DEFAULT_SETTINGS.upgrades)
    assert f'name="upgrades-{blank}-key" value=""' in html and f'name="upgrades-{blank + 1}-key" value=""' in html
    assert 'name="proteins-0-value" value="Chicken"' in html and 'name="proteins-0-remove"' in html


def test_rows_are_added_and_removed(as_role, world, dbq):
    blank = len(DEFAULT_SETTINGS.add_ons)
    form = _rows_form(
        **{
            "add_ons-0-remove": "1",  # yakisoba goes
            f"add_ons-{blank}-key": "miso",
            f"add_ons-{blank}-label": "Miso soup",
            f"add_ons-{blank}-price": "4",
            "proteins-1-remove": "1",
        }
    )
    response = as_role("owner").post_form(URL, form)
    assert response.status_code == 303
    saved = dbq.get(Station, world.station.id).settings
    assert [item.key for item in saved.add_ons] == [i.key for i in DEFAULT_SETTINGS.add_ons[1:]] + ["miso"]
    assert saved.add_on("miso").price_cents == 400
    assert saved.proteins == [p for i, p in enumerate(DEFAULT_SETTINGS.proteins) if i != 1]
    assert saved.upgrades == DEFAULT_SETTINGS.upgrades and saved.slot_times == DEFAULT_SETTINGS.slot_times


def test_a_bad_row_is_named_beside_its_list_and_nothing_is_saved(as_role, world, dbq):
    blank = len(DEFAULT_SETTINGS.upgrades)
    form = _rows_form(
        **{f"upgrades-{blank}-key": "wagyu", f"upgrades-{blank}-label": "Wagyu", f"upgrades-{blank}-price": "lots"}
    )
    response = as_role("owner").post_form(URL, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Row {blank + 1}: Enter an amount like 55 or 55.00" in html
    assert 'id="s-upgrades-error"' in html and 'value="wagyu"' in html  # beside the list, what was typed kept
    assert overrides(dbq) == {}


def test_add_rows_shows_more_blank_rows_and_saves_nothing(as_role, world, dbq):
    response = as_role("owner").post_form(URL, _rows_form(more="slot_times", **{"slot_times-0-value": "11:00"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    count = len(DEFAULT_SETTINGS.slot_times)
    assert f'name="slot_times-{count + 4}-value"' in html  # five blank rows now
    assert 'name="slot_times-0-value" value="11:00"' in html  # what was typed stays
    assert overrides(dbq) == {}
