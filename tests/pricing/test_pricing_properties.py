"""Hypothesis properties of quote(): whatever the settings and the party, the money adds up."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ValidationFailed
from app.pricing import FOOD_KINDS, DistanceResult, PartyRequest, Quote, quote
from app.stations.settings import DEFAULT_SETTINGS, StationSettings

# The autouse fixtures (no-op rollback, cache clearing) are function-scoped and hold no
# per-example state, so reusing them across examples is safe.
examples = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])

UPGRADES = [item.key for item in DEFAULT_SETTINGS.upgrades]
ADD_ONS = [item.key for item in DEFAULT_SETTINGS.add_ons]
cents = st.integers(min_value=0, max_value=100_000)

station_settings = st.builds(
    StationSettings,
    adult_price_cents=cents,
    child_price_cents=cents,
    party_minimum_cents=st.integers(min_value=0, max_value=2_000_000),
    travel_free_miles=st.integers(min_value=0, max_value=100),
    travel_per_mile_cents=st.integers(min_value=0, max_value=1_000),
    service_radius_miles=st.integers(min_value=1, max_value=500),
    deposit_cents=st.integers(min_value=0, max_value=500_000),
)


@st.composite
def priced(draw) -> tuple[StationSettings, PartyRequest]:
    """A station and a valid party inside its radius."""
    s = draw(station_settings)
    miles = draw(st.none() | st.floats(min_value=0, max_value=s.service_radius_miles))
    party = PartyRequest(
        adults=draw(st.integers(min_value=1, max_value=200)),
        children=draw(st.integers(min_value=0, max_value=200)),
        toddlers=draw(st.integers(min_value=0, max_value=200)),
        upgrades=draw(st.dictionaries(st.sampled_from(UPGRADES), st.integers(min_value=1, max_value=200))),
        add_ons=draw(st.dictionaries(st.sampled_from(ADD_ONS), st.integers(min_value=1, max_value=200))),
        discount_cents=draw(st.integers(min_value=0, max_value=5_000_000)),
        distance=None if miles is None else DistanceResult(round(miles, 1), True, "routing"),
    )
    return s, party


def food_cents(q: Quote) -> int:
    return sum(line.amount_cents for line in q.lines if line.kind in FOOD_KINDS)


@examples
@given(priced())
def test_totals_are_never_negative(case):
    q = quote(*case)
    assert q.total_cents >= 0 and q.balance_cents >= 0 and q.deposit_cents >= 0
    assert q.travel_cents >= 0 and q.discount_cents >= 0


@examples
@given(priced())
def test_minimum_is_always_applied(case):
    s, party = case
    q = quote(s, party)
    assert food_cents(q) == q.subtotal_cents >= s.party_minimum_cents
    raw = food_cents(q) - sum(line.amount_cents for line in q.lines if line.kind == "minimum")
    assert q.minimum_applied == (raw < s.party_minimum_cents)
    assert q.subtotal_cents == max(raw, s.party_minimum_cents)


@examples
@given(priced())
def test_lines_always_sum_to_the_total(case):
    q = quote(*case)
    assert sum(line.amount_cents for line in q.lines) == q.total_cents
    assert q.total_cents == q.subtotal_cents + q.travel_cents - q.discount_cents
    assert all(line.quantity * line.unit_cents == line.amount_cents for line in q.lines)


@examples
@given(priced())
def test_deposit_and_balance(case):
    s, party = case
    q = quote(s, party)
    assert q.deposit_cents <= q.total_cents
    assert q.deposit_cents + q.balance_cents == q.total_cents
    assert q.deposit_cents == min(s.deposit_cents, q.total_cents)


@examples
@given(priced())
def test_travel_and_discount_rules(case):
    s, party = case
    q = quote(s, party)
    if party.distance is None:
        assert q.travel_cents == 0 and "travel" not in {line.kind for line in q.lines}
    else:
        billable = max(0, math.ceil(party.distance.miles) - s.travel_free_miles)
        assert q.travel_cents == billable * s.travel_per_mile_cents
    assert q.discount_cents == min(party.discount_cents, q.subtotal_cents + q.travel_cents)


@examples
@given(priced())
def test_snapshot_round_trips_through_json(case):
    q = quote(*case)
    assert Quote.from_dict(json.loads(json.dumps(q.as_dict()))) == q


@examples
@given(
    adults=st.integers(min_value=-500, max_value=500),
    children=st.integers(min_value=-500, max_value=500),
    upgrades=st.dictionaries(st.text(max_size=12) | st.sampled_from(UPGRADES), st.integers(-10, 300)),
    discount=st.integers(min_value=-(10**9), max_value=10**9),
    miles=st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_input_is_priced_or_refused_cleanly(adults, children, upgrades, discount, miles):
    """Bad input is a ValidationFailed with fields (a 4xx), never another exception (a 500)."""
    distance = None if miles is None else DistanceResult(miles, True, "zip-centroid")
    party = PartyRequest(adults=adults, children=children, upgrades=upgrades, discount_cents=discount)
    party = PartyRequest(**{**party.__dict__, "distance": distance})
    try:
        q = quote(DEFAULT_SETTINGS, party)
    except ValidationFailed as exc:
        assert exc.fields and exc.message
    else:
        assert q.total_cents >= 0
