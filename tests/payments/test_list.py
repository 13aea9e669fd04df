"""The station's payments list: payments and refunds, filters, totals, balances due."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models.base import utcnow
from app.models.payment import Refund


def _total(html: str, name: str) -> str:
    match = re.search(rf'data-total="{name}">([^<]+)<', html)
    assert match, name
    return match.group(1)


def _pay(as_role, booking, amount: str, method: str, kind: str = "deposit"):
    response = as_role("staff").post_form(
        f"/s/alpha/bookings/{booking.id}/payments", {"amount": amount, "method": method, "kind": kind}
    )
    assert response.status_code == 303


def test_list_shows_payments_refunds_and_totals(app, as_role, make_booking, card_paid):
    cash = make_booking()
    _pay(as_role, cash, "100", "cash")
    _pay(as_role, cash, "50", "zelle", "balance")
    as_role("manager").post_form(f"/s/alpha/bookings/{cash.id}/refunds", {"amount": "20", "method": "cash"})
    make_booking()  # awaiting its deposit: its whole total is still due

    page = as_role("staff").get("/s/alpha/payments/")
    assert page.status_code == 200 and b"<html" in page.data
    html = page.get_data(as_text=True)
    assert _total(html, "received") == "$250.00"
    assert _total(html, "refunded") == "$20.00"
    assert _total(html, "net") == "$230.00"
    # Three bookings of $610.00 hold their slots; $250 paid and $20 given back
    assert _total(html, "balance-due") == "$1,600.00"
    assert "1 awaiting a deposit" in html
    assert cash.reference in html and card_paid.reference in html
    assert "-$20.00" in html or "−$20.00" in html
    assert "Stripe" in html  # who recorded the card payment
    assert "4 entries" in html


def test_filters_and_the_htmx_fragment(app, as_role, make_booking, card_paid):
    cash = make_booking()
    _pay(as_role, cash, "100", "cash")
    client = as_role("manager")

    card_only = client.get("/s/alpha/payments/?method=card").get_data(as_text=True)
    assert card_paid.reference in card_only and cash.reference not in card_only
    assert _total(card_only, "received") == "$100.00"

    fragment = client.get("/s/alpha/payments/?method=cash", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.data and cash.reference.encode() in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]

    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    empty = client.get(f"/s/alpha/payments/?from={tomorrow}").get_data(as_text=True)
    assert "No payments match" in empty and _total(empty, "received") == "$0.00"
    # The balance due covers open bookings whatever the filter
    assert _total(empty, "balance-due") == "$1,020.00"

    refunds_only = client.get("/s/alpha/payments/?entry=refunds").get_data(as_text=True)
    assert "No payments match" in refunds_only
    assert client.get("/s/alpha/payments/?method=bogus&from=nope").status_code == 200


def test_pending_refunds_are_shown_on_their_way(app, as_role, card_paid):
    with app.app_context():
        db.session.add(
            Refund(
                station_id=card_paid.station_id,
                booking_id=card_paid.id,
                amount_cents=1500,
                currency="USD",
                method="card",
                status="pending",
                provider="stripe",
            )
        )
        db.session.commit()
    html = as_role("manager").get("/s/alpha/payments/?entry=refunds").get_data(as_text=True)
    assert _total(html, "refunded") == "$0.00" and "$15.00 on its way" in html


def test_who_sees_the_list(as_role):
    for who in ("owner", "manager", "staff"):
        assert as_role(who).get("/s/alpha/payments/").status_code == 200
    assert as_role("chef").get("/s/alpha/payments/").status_code == 403
    assert as_role("other_manager").get("/s/alpha/payments/").status_code == 404


def test_without_stripe_the_list_says_payments_are_recorded_by_hand(as_role):
    assert b"Card payments are not configured" in as_role("manager").get("/s/alpha/payments/").data
