"""Creating bookings: price, check the slot under a lock, match the customer, record.

Services flush, never commit: the request (or job) commits once. The slot check runs
while holding the slot's lock row (`SlotLock`, SELECT ... FOR UPDATE on PostgreSQL),
so two requests for the last seat of a slot cannot both succeed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.availability.services import booking_window, slot_capacity, slot_refusal, slot_start_utc
from app.bookings.schemas import BookingRequest, Party, StaffBookingRequest
from app.bookings.timeline import Actor, log_event
from app.customers import services as customers
from app.errors import Conflict, ValidationFailed
from app.extensions import db, upsert_insert
from app.models.base import utcnow
from app.models.booking import HOLDS_SLOT, Booking, SlotLock
from app.models.station import Station
from app.pricing import Quote, quote_for_station
from app.qr.attribution import qr_code_for


class SlotFull(Conflict):
    code = "slot_full"


def price(station: Station, party: Party, *, zip_code: str | None, discount_cents: int = 0) -> Quote:
    """The quote for a party at this station (travel from the station's ZIP when given)."""
    return quote_for_station(
        station,
        party.model_dump(include={"adults", "children", "toddlers", "upgrades", "add_ons"}),
        to_zip=zip_code or None,
        config=current_app.config,
        discount_cents=discount_cents,
    )


def lock_slot(station_id: int, day: date, slot_time: str) -> None:
    """Take the slot's lock row for the rest of this transaction (created on first use)."""
    key = {"station_id": station_id, "event_date": day, "slot_time": slot_time}
    db.session.execute(upsert_insert(SlotLock).values(**key).on_conflict_do_nothing())
    db.session.execute(
        select(SlotLock)
        .filter_by(**key)
        .with_for_update()  # SQLite has no row locks; its single writer serialises instead
    )


def seats_taken(station_id: int, day: date, slot_time: str, *, excluding: int | None = None) -> int:
    stmt = select(func.count()).where(
        Booking.station_id == station_id,
        Booking.event_date == day,
        Booking.slot_time == slot_time,
        Booking.status.in_([s.value for s in HOLDS_SLOT]),
    )
    if excluding is not None:
        stmt = stmt.where(Booking.id != excluding)
    return db.session.scalar(stmt) or 0


def claim_slot(station: Station, day: date, slot_time: str, *, now: datetime, excluding: int | None = None) -> datetime:
    """Lock the slot and check it can take one more party; returns its UTC start.

    Raises ValidationFailed (not a slot, too soon, too far, no chef) or SlotFull.
    """
    if slot_time not in station.settings.slot_times:
        raise ValidationFailed(
            f"{slot_time} is not a slot of {station.name}.",
            fields={"slot": "Choose one of " + ", ".join(station.settings.slot_times)},
        )
    starts_at = slot_start_utc(station.timezone, day, slot_time)
    earliest, horizon = booking_window(station, now)
    lock_slot(station.id, day, slot_time)
    capacity = slot_capacity(station, day, slot_time)
    taken = seats_taken(station.id, day, slot_time, excluding=excluding)
    reason = slot_refusal(starts_at, day, horizon, earliest, capacity, taken)
    if reason == "full":
        raise SlotFull(f"{day:%a %d %b} at {slot_time} is fully booked. Choose another slot.")
    if reason:
        messages = {
            "too soon": f"Book at least {station.settings.lead_time_hours} hours ahead.",
            "too far ahead": f"Bookings open {station.settings.horizon_days} days ahead.",
            "no chef available": f"No chef works {day:%a %d %b} at {slot_time}.",
        }
        raise ValidationFailed(messages[reason], fields={"event_date": messages[reason]}, code="slot_unavailable")
    return starts_at


def create_booking(
    station: Station,
    data: BookingRequest,
    *,
    actor: Actor,
    source: str,
    ip_address: str | None = None,
    now: datetime | None = None,
) -> Booking:
    """A new booking awaiting its deposit, with customer, consent and timeline."""
    now = now or utcnow()
    discount = data.discount_cents if isinstance(data, StaffBookingRequest) else 0
    priced = price(station, data, zip_code=data.zip_code, discount_cents=discount)
    unknown = set(data.proteins) - set(station.settings.proteins)
    if unknown:
        raise ValidationFailed("Unknown protein: " + ", ".join(sorted(unknown)), fields={"proteins": "Unknown."})
    starts_at = claim_slot(station, data.event_date, data.slot, now=now)

    customer = customers.match_or_create(
        station.id, name=data.customer.name, email=data.customer.email, phone=data.customer.phone
    )
    for channel in ("email", "sms"):
        if getattr(data.consent, channel):
            customers.record_consent(
                customer,
                channel=channel,
                granted=True,
                text=getattr(data.consent, f"{channel}_text"),
                source=f"booking.{source}",
                ip_address=ip_address,
            )
    settings = station.settings
    attribution = data.attribution.model_dump(exclude_none=True)
    booking = Booking(
        station_id=station.id,
        customer=customer,
        source=source,
        status="pending_deposit",
        event_date=data.event_date,
        slot_time=data.slot,
        starts_at=starts_at,
        address=data.address,
        zip_code=data.zip_code,
        adults=data.adults,
        children=data.children,
        toddlers=data.toddlers,
        upgrades=dict(data.upgrades),
        add_ons=dict(data.add_ons),
        proteins=list(data.proteins),
        allergies=data.allergies,
        notes=data.notes,
        currency=priced.currency,
        quote=priced.as_dict(),
        total_cents=priced.total_cents,
        deposit_cents=priced.deposit_cents,
        distance_miles=priced.distance_miles,
        # Never later than the event itself.
        deposit_due_at=min(now + timedelta(hours=settings.deposit_due_hours), starts_at),
        created_by_id=actor.user_id,
        created_at=now,
        consent=data.consent.model_dump(),
        attribution=attribution,
        qr_code_id=qr_code_for(station.id, attribution),
    )
    db.session.add(booking)
    db.session.flush()
    log_event(
        booking,
        "created",
        actor,
        after={
            "status": booking.status,
            "event_date": booking.event_date.isoformat(),
            "slot": booking.slot_time,
            "guests": booking.guests,
            "total_cents": booking.total_cents,
            "source": source,
        },
    )
    # The deposit's Stripe Checkout Session, asked for in this same transaction (outbox).
    from app.payments.services import request_deposit_checkout  # payments build on bookings

    request_deposit_checkout(booking)
    return booking
