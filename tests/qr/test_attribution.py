"""Leads and bookings credited to the QR code they came from.

The public API stores the attribution raw (Lead.first_touch, Booking.attribution) and
the ids the pages count by (Lead.qr_code_id, Booking.qr_code_id), resolved by
`qr_code_for` in lead capture and create_booking.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.booking import Booking
from app.models.lead import Lead
from app.qr.attribution import only_match, qr_code_for
from tests.api.conftest import add_chef, booking_body, future_day
from tests.qr.conftest import make_code

API = "/api/v1"


def _lead_body(**attribution) -> dict:
    return {
        "kind": "quote_request",
        "station": "alpha",
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "message": "Party of 15?",
        "guests": 15,
        "zip_code": "30303",
        "attribution": attribution,
    }


def test_a_scan_then_a_lead_and_a_booking_are_counted_for_the_code(app, client, as_role, world, flyer, qr_factory):
    other_code = qr_factory(world.station, name="Table tent", campaign="events", utm_content="table-tent")
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    scanned = client.get(f"/q/{flyer.code}", headers={"User-Agent": "Mozilla/5.0 (iPhone)"})
    assert scanned.status_code == 302
    # What the public site sends back: the landing page's tq and UTM values.
    touch = {"utm_source": "qr", "utm_medium": "print", "utm_campaign": "spring", "qr_code": flyer.code}
    assert client.post(f"{API}/leads", json=_lead_body(**touch)).status_code == 201
    booked = client.post(f"{API}/bookings", json=booking_body(attribution=touch, event_date=future_day(20).isoformat()))
    assert booked.status_code == 201, booked.get_json()

    with app.app_context():
        lead = db.session.scalar(select(Lead))
        booking = db.session.scalar(select(Booking))
        # Set by lead capture and create_booking from the attribution the site sent back.
        assert lead.qr_code_id == booking.qr_code_id == flyer.id

    html = as_role("manager").get("/s/alpha/qr/").get_data(as_text=True)
    row = html.split(f'data-qr="{flyer.code}"')[1].split("</tr>")[0]
    assert '<td data-count="scans">1</td>' in row
    assert '<td data-count="leads">1</td>' in row
    assert '<td data-count="bookings">1</td>' in row
    other_row = html.split(f'data-qr="{other_code.code}"')[1].split("</tr>")[0]
    assert '<td data-count="leads">0</td>' in other_row and '<td data-count="bookings">0</td>' in other_row

    page = as_role("manager").get(f"/s/alpha/qr/{flyer.id}").get_data(as_text=True)
    stats = [chunk.split("</div>")[0] for chunk in page.split('<div class="stat-value">')[1:4]]
    assert stats == ["1", "1", "1"]  # scans, leads, bookings


def test_the_code_names_the_qr_code_of_that_station_only(app, world):
    with app.app_context():
        alpha = make_code(world.station)
        beta = make_code(world.other, name="Dallas flyer")
        assert qr_code_for(world.station.id, {"qr_code": alpha.code}) == alpha.id
        assert qr_code_for(world.station.id, {"qr_code": f"  {alpha.code.upper()} "}) == alpha.id
        # Dallas's flyer does not make an Atlanta lead a QR lead (same UTM values or not).
        assert qr_code_for(world.station.id, {"qr_code": beta.code}) is None
        assert qr_code_for(world.other.id, {"qr_code": beta.code}) == beta.id


def test_nothing_or_garbage_names_no_code(app, world):
    with app.app_context():
        make_code(world.station)
        for attribution in (None, {}, {"qr_code": None}, {"qr_code": 42}, {"qr_code": "x' OR 1=1 --"}):
            assert qr_code_for(world.station.id, attribution) is None
        assert qr_code_for(world.station.id, {"utm_source": "google", "utm_medium": "cpc"}) is None


def test_utm_values_name_a_code_only_when_exactly_one_matches(app, world):
    with app.app_context():
        flyer = make_code(world.station, campaign="spring", utm_content="flyer")
        make_code(world.station, name="Truck", campaign="spring", utm_content="truck")
        make_code(world.station, name="Twin A", campaign="summer", utm_content="")
        make_code(world.station, name="Twin B", campaign="summer", utm_content="")
        lost_tq = {"utm_source": "qr", "utm_medium": "print", "utm_campaign": "spring", "utm_content": "flyer"}
        assert qr_code_for(world.station.id, lost_tq) == flyer.id
        assert qr_code_for(world.station.id, {**lost_tq, "utm_content": "poster"}) is None
        assert qr_code_for(world.station.id, {**lost_tq, "utm_medium": "email"}) is None
        ambiguous = {"utm_source": "qr", "utm_medium": "print", "utm_campaign": "summer"}
        assert qr_code_for(world.station.id, ambiguous) is None  # two codes fit: no guess
        # An unknown tq still falls back on the UTM values.
        assert qr_code_for(world.station.id, {**lost_tq, "qr_code": "zzzzzzzz"}) == flyer.id


def test_only_match_is_exact_and_unambiguous():
    codes = [(1, {"utm_source": "qr", "utm_medium": "print", "utm_content": "flyer"}), (2, {"utm_source": "qr"})]
    assert only_match(codes, {"utm_source": "qr", "utm_medium": "print", "utm_content": "flyer"}) == 1
    assert only_match(codes, {"utm_source": " qr ", "utm_medium": "print", "utm_content": "flyer"}) == 1
    assert only_match(codes, {"utm_source": "qr"}) == 2
    assert only_match([*codes, (3, {"utm_source": "qr"})], {"utm_source": "qr"}) is None
    assert only_match([], {"utm_source": "qr"}) is None
