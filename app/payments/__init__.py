"""Payments: deposits (Stripe Checkout or recorded by hand), refunds, the payments list."""

from flask import Blueprint

from app.web.access import station_blueprint

# Station pages: the ledger (/s/<slug>/payments/) and the refund action of the booking
# page (/s/<slug>/bookings/<id>/refunds), so the blueprint has no path of its own.
bp = station_blueprint("payments", __name__)
# Public: Stripe's webhook and the pages the customer returns to after Checkout.
public_bp = Blueprint("payments_public", __name__)

from app.payments import views  # noqa: E402,F401
