"""Creating bookings: the use case shared by the public API and the staff form.

Check the input, price the party, claim the slot under a lock, match the customer,
record the booking, ask for the deposit checkout and credit the lead it came from.
Services flush, never commit: the request (or job) commits once. The slot check runs
while holding the slot's lock row (`SlotLock`, SELECT ... FOR UPDATE on PostgreSQL),
so two requests for the last seat of a slot cannot both succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app.availability.services import booking_window, slot_capacity, slot_refusal, slot_start_utc
from app.bookings.schemas import BookingRequest, Party, StaffBookingRequest
from app.bookings.timeline import Actor, log_event
from app.customers import services as customers
from app.errors import Conflict, ValidationFailed
from app.extensions import db, upsert_insert
from app.integrations import stripe_enabled
from app.jobs.outbox import emit
from app.leads.conversion import link_booking, link_open_lead
from app.models.base import utcnow
from app.models.booking import HOLDS_SLOT, Booking, SlotLock, add_with_new_reference
from app.models.lead import Lead
from app.models.station import Station
from app.models.user import User
from app.pricing import Quote, UnknownZip, quote_for_station
from app.qr.attribution import qr_code_for

log = logging.getLogger(__name__)


class SlotFull(Conflict):
    code = "slot_full"


# -- input checks every door shares ------------------------------------------------------


@contextmanager
def zip_errors_named() -> Iterator[None]:
    """UnknownZip from the distance provider names `to_zip`/`from_zip`; forms and the API say `zip_code`."""
    try:
        yield
    except UnknownZip as exc:
        if exc.field in ("to_zip", "zip_code"):
            raise UnknownZip(exc.zip_code, field="zip_code") from None
        # The station's own ZIP: a setup mistake the customer cannot fix.
        log.warning("station ZIP %r is unknown: travel cannot be priced", exc.zip_code)
        raise ValidationFailed(
            "This station cannot price travel at the moment. Please call us.", code="station_misconfigured"
        ) from None


def require_ascii_zip(zip_code: str | None) -> None:
    """Refuse ZIP codes of non-ASCII digits ("٣٠٣٠٣" passes the schemas' `\\d{5}`).

    They are no US ZIP code; the message says which digits to use.
    """
    if zip_code is not None and not zip_code.isascii():
        message = "Enter a 5-digit US ZIP code using the digits 0-9."
        raise ValidationFailed(message, fields={"zip_code": message})


def guard_event_date(station: Station, day: date, *, now: datetime | None = None) -> None:
    """Refuse dates outside the booking window before any date maths runs on them.

    `claim_slot` refuses them too, with the same messages; this check also keeps a
    date such as 9999-12-31 away from the UTC conversion, where it overflows.
    """
    settings = station.settings
    today = (now or utcnow()).astimezone(ZoneInfo(station.timezone)).date()
    message = ""
    if day < today:
        message = f"Book at least {settings.lead_time_hours} hours ahead."
    elif day > today + timedelta(days=settings.horizon_days):
        message = f"Bookings open {settings.horizon_days} days ahead."
    if message:
        raise ValidationFailed(message, fields={"event_date": message}, code="slot_unavailable")


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
    """Take the slot's lock row for the rest of this transaction (created on first use).

    One statement: the insert, or on conflict an update of the row to itself, which locks
    it until commit just as SELECT ... FOR UPDATE would (a second booking of the slot waits
    here, then sees the first one's rows). SQLite's single writer serialises instead.
    """
    key = {"station_id": station_id, "event_date": day, "slot_time": slot_time}
    insert = upsert_insert(SlotLock).values(**key)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[SlotLock.station_id, SlotLock.event_date, SlotLock.slot_time],
            set_={"slot_time": insert.excluded.slot_time},
        )
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


def slot_opening(station: Station, day: date, slot_time: str, *, now: datetime) -> tuple[datetime, int]:
    """(UTC start, capacity) of a slot that may be booked, before taking its lock.

    Raises ValidationFailed (not a slot, too soon, too far, no chef). Capacity depends on
    chefs, time off and blackouts, not on bookings: it needs no lock.
    """
    if slot_time not in station.settings.slot_times:
        raise ValidationFailed(
            f"{slot_time} is not a slot of {station.name}.",
            fields={"slot": "Choose one of " + ", ".join(station.settings.slot_times)},
        )
    starts_at = slot_start_utc(station.timezone, day, slot_time)
    earliest, horizon = booking_window(station, now)
    capacity = slot_capacity(station, day, slot_time)
    reason = slot_refusal(starts_at, day, horizon, earliest, capacity, booked=0)  # "full" is hold_slot's to say
    if reason:
        messages = {
            "too soon": f"Book at least {station.settings.lead_time_hours} hours ahead.",
            "too far ahead": f"Bookings open {station.settings.horizon_days} days ahead.",
            "no chef available": f"No chef works {day:%a %d %b} at {slot_time}.",
        }
        raise ValidationFailed(messages[reason], fields={"event_date": messages[reason]}, code="slot_unavailable")
    return starts_at, capacity


def hold_slot(station: Station, day: date, slot_time: str, capacity: int, *, excluding: int | None = None) -> None:
    """Lock the slot (until the transaction ends) and check it can take one more party, else SlotFull.

    The lock is the critical section every booking of the slot queues for: check and
    price everything before taking it.
    """
    lock_slot(station.id, day, slot_time)
    if seats_taken(station.id, day, slot_time, excluding=excluding) >= capacity:
        raise SlotFull(f"{day:%a %d %b} at {slot_time} is fully booked. Choose another slot.")


def claim_slot(station: Station, day: date, slot_time: str, *, now: datetime, excluding: int | None = None) -> datetime:
    """Check the slot, lock it and check it can take one more party; returns its UTC start.

    Raises ValidationFailed (not a slot, too soon, too far, no chef) or SlotFull.
    """
    starts_at, capacity = slot_opening(station, day, slot_time, now=now)
    hold_slot(station, day, slot_time, capacity, excluding=excluding)
    return starts_at


def create_booking(
    station: Station,
    data: BookingRequest,
    *,
    actor: Actor,
    source: str,
    ip_address: str | None = None,
    lead: Lead | None = None,
    now: datetime | None = None,
) -> Booking:
    """A new booking awaiting its deposit, with customer, consent, timeline and checkout.

    `lead`: the lead it converts (staff "Convert to booking"); without one, the
    person's open lead (same email or phone), if any, is won by this booking.
    Raises ValidationFailed (bad input, no such slot) or SlotFull; flushes, never commits.
    """
    now = now or utcnow()
    require_ascii_zip(data.zip_code)
    guard_event_date(station, data.event_date, now=now)
    discount = data.discount_cents if isinstance(data, StaffBookingRequest) else 0
    with zip_errors_named():
        priced = price(station, data, zip_code=data.zip_code, discount_cents=discount)
    unknown = set(data.proteins) - set(station.settings.proteins)
    if unknown:
        raise ValidationFailed("Unknown protein: " + ", ".join(sorted(unknown)), fields={"proteins": "Unknown."})
    starts_at, capacity = slot_opening(station, data.event_date, data.slot, now=now)
    # From here until the request commits, other bookings of this slot wait: nothing slow
    # (pricing, capacity) happens after it, and the request commits before any I/O.
    hold_slot(station, data.event_date, data.slot, capacity)

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
        customer_id=customer.id,  # (not `customer=`: the booking joins the session only when inserted)
        contact_email=data.customer.email,  # its messages go where the booking said
        contact_phone=data.customer.phone,
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
    add_with_new_reference(booking)
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
    request_deposit_checkout(booking)
    if lead is not None:
        staff = db.session.get(User, actor.user_id) if actor.user_id is not None else None
        link_booking(lead, booking, actor=staff, now=now)
    else:
        # The quote request or chat that came before this booking is won by it.
        link_open_lead(booking, now=now)
    return booking


def request_deposit_checkout(booking: Booking) -> None:
    """Ask for the deposit's Stripe Checkout Session once this transaction commits (outbox).

    The payments area makes it (job `payments.create_checkout_session`). Without a
    Stripe key nothing is asked for: staff record the deposit by hand.
    """
    if not stripe_enabled() or booking.deposit_cents <= 0:
        return
    db.session.flush()  # the booking's id
    emit(
        "payments.create_checkout_session",
        key=f"checkout-session:{booking.id}",
        station_id=booking.station_id,
        booking_id=booking.id,
    )
