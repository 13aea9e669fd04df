"""The customer's actions on their booking, for the public website: the rules of app.selfservice.rules.

POST /bookings/<manage token>/reschedule | guests | cancel answer the updated booking
(as GET /bookings/<token> does) or the rule that refused it (409 with its code, 422 for
input). The token is the manage link's; an unknown or re-issued one is 404, the same
answer whatever the reason, so nothing is learnt by guessing.
"""

from __future__ import annotations

from flask import Response, jsonify

from app.api import bp, limits
from app.api import presenters as present
from app.api import schemas as out
from app.api.errors import NotFound, read
from app.extensions import db
from app.models.booking import Booking
from app.models.station import Station
from app.selfservice import rules

CHANNEL = "API"


def _booking(token: str) -> tuple[Booking, Station]:
    found = rules.booking_for_token(token)
    if found is None:
        raise NotFound("There is no booking with that token.", code="booking_not_found")
    return found


def _answer(booking: Booking, station: Station) -> Response:
    db.session.commit()
    db.session.refresh(booking)
    return jsonify(present.dump(present.booking_status(booking, station)))


@bp.post("/bookings/<manage_token>/reschedule")
@limits.manage
def reschedule_booking(manage_token: str):
    """Move the party to another slot, within the free reschedules and the notice period."""
    booking, station = _booking(manage_token)
    data, _ = read(out.RescheduleRequest)
    booking = rules.reschedule(station, booking, new_date=data.event_date, new_slot=data.slot, channel=CHANNEL)
    return _answer(booking, station)


@bp.post("/bookings/<manage_token>/guests")
@limits.manage
def change_booking_guests(manage_token: str):
    """A new guest count until the guest-count deadline, re-priced."""
    booking, station = _booking(manage_token)
    data, _ = read(out.GuestsRequest)
    booking = rules.change_guests(station, booking, adults=data.adults, children=data.children, channel=CHANNEL)
    return _answer(booking, station)


@bp.post("/bookings/<manage_token>/cancel")
@limits.manage
def cancel_booking(manage_token: str):
    """Cancel; what the refund cutoff gives back is refunded (through Stripe when paid by card)."""
    booking, station = _booking(manage_token)
    data, _ = read(out.CancelRequest)
    rules.cancel(station, booking, channel=CHANNEL, reason=data.reason)
    return _answer(booking, station)
