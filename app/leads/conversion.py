"""Conversion: a lead becomes a booking (the staff form pre-filled, then the two linked, won).

"Convert to booking" on the lead page opens bookings.new with `booking_prefill()` as
query arguments (a hidden lead_id included); when that booking is created, the
bookings view calls `link_booking()`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.errors import ValidationFailed
from app.extensions import db
from app.leads.services import event, open_lead_of, rescore, set_stage
from app.leads.tasks import close_first_response
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.user import User


def link_booking(lead: Lead, booking: Booking, *, actor: User | None = None, now: datetime | None = None) -> None:
    """A booking was made for this lead: link both ways, carry the QR attribution, mark won.

    Call it when a booking is created with a lead_id (staff form "Convert to booking").
    """
    now = now or utcnow()
    if lead.station_id != booking.station_id:
        raise ValidationFailed("The booking and the lead belong to different stations.")
    if lead.merged_into_id is not None:
        raise ValidationFailed("This lead was merged into another one: link the booking to that lead.")
    if lead.booking_id == booking.id and lead.stage == "won":
        return  # already linked: a repeated call changes nothing
    lead.booking_id = booking.id
    lead.customer_id = booking.customer_id
    booking.lead_id = booking.lead_id or lead.id
    booking.qr_code_id = booking.qr_code_id or lead.qr_code_id
    if not booking.attribution:
        # A booking typed in by staff has no attribution of its own: the lead's first touch is it.
        booking.attribution = {key: value for key, value in (lead.first_touch or {}).items() if key != "at"}
    event(
        lead,
        "converted",
        body=f"Booking {booking.reference}",
        data={"booking_id": booking.id, "reference": booking.reference},
        actor=actor,
        now=now,
    )
    if lead.stage != "won":
        set_stage(lead, "won", actor, now, data={"booking_id": booking.id})
    close_first_response(lead, actor, now=now)
    rescore(lead, now=now)
    db.session.flush()


def booking_prefill(lead: Lead, today: date) -> dict[str, Any]:
    """Query arguments for the staff booking form (bookings.new reads its values from them)."""
    args: dict[str, Any] = {
        "name": lead.name,
        "email": lead.email or "",
        "phone": lead.phone or "",
        "zip_code": lead.zip_code or "",
        "adults": lead.guests or "",
        "source": "lead",
        "notes": f"From lead #{lead.id}" + (f": {lead.message[:300]}" if lead.message else ""),
        "lead_id": lead.id,
    }
    if lead.event_date and lead.event_date > today:
        args["event_date"] = lead.event_date.isoformat()
    return {key: value for key, value in args.items() if value not in ("", None)}


def link_open_lead(booking: Booking, *, now: datetime | None = None) -> Lead | None:
    """A booking made by someone with an open lead (same email or phone) wins that lead.

    For bookings that arrive without a lead_id (the public site's booking form): the
    quote request or chat that preceded it gets the credit, attribution carried over.
    """
    customer = db.session.get(Customer, booking.customer_id)
    lead = open_lead_of(booking.station_id, customer.email, customer.phone) if customer else None
    if lead is not None:
        link_booking(lead, booking, now=now)
    return lead
