"""iCalendar (RFC 5545) for bookings: one booking's .ics and the calendar feeds, with `icalendar`.

Times are UTC instants (`DTSTART:...Z`), so no VTIMEZONE is needed and every calendar
shows the party at the right moment in its own zone. A booking's UID is stable
(`booking-<id>@<host>`): a moved party updates the event (SEQUENCE counts the moves), a
cancelled one is sent as STATUS:CANCELLED (feeds keep it for a while, then drop it).
What an event says depends on who reads it: `audience="chef"` carries the address,
guests, menu notes and the station's contact but no money.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from app.models.base import utcnow
from app.models.booking import Booking, BookingStatus
from app.models.station import Station
from app.web.urls import public_base_url

PRODID = "-//Teppan//Bookings//EN"
CANCELLED = (BookingStatus.CANCELLED.value, BookingStatus.EXPIRED.value, BookingStatus.NO_SHOW.value)


def uid(booking: Booking) -> str:
    host = urlsplit(public_base_url()).hostname or "teppan.local"
    return f"booking-{booking.id}@{host}"


def _description(booking: Booking, station: Station, audience: str) -> str:
    lines = [f"Booking {booking.reference}", f"Guests: {booking.guests} ({booking.adults} adults"]
    lines[-1] += f", {booking.children} children" if booking.children else ""
    lines[-1] += f", {booking.toddlers} under 6)" if booking.toddlers else ")"
    if booking.proteins:
        lines.append("Proteins: " + ", ".join(booking.proteins))
    if audience != "customer":
        if booking.allergies:
            lines.append(f"ALLERGIES: {booking.allergies}")
        if booking.notes:
            lines.append(f"Notes: {booking.notes}")
        if booking.customer is not None:
            lines.append(f"Customer: {booking.customer.name} {booking.notify_phone or ''}".rstrip())
    contact = " ".join(filter(None, [station.phone, station.email]))
    lines.append(f"{station.name}: {contact}" if contact else station.name)
    return "\n".join(lines)


def event(booking: Booking, station: Station, *, audience: str = "customer", now: datetime | None = None) -> Event:
    """One VEVENT for `booking`; audience "customer", "chef" (no money) or "station"."""
    item = Event()
    item.add("uid", uid(booking))
    item.add("dtstamp", (now or utcnow()))
    item.add("dtstart", booking.starts_at)
    item.add("dtend", booking.starts_at + timedelta(minutes=station.settings.slot_duration_minutes))
    item.add("sequence", booking.reschedule_count)
    title = f"Hibachi party, {booking.guests} guests" if audience != "customer" else f"Hibachi party ({station.name})"
    item.add("summary", title)
    item.add("location", f"{booking.address}, {booking.zip_code}")
    description = _description(booking, station, audience)
    if audience == "station":
        money = f"{booking.total_cents / 100:.2f} {booking.currency}"
        description += f"\nTotal {money}, balance {booking.balance_cents / 100:.2f}"
    item.add("description", description)
    item.add("status", "CANCELLED" if booking.status in CANCELLED else "CONFIRMED")
    return item


def calendar(events: Iterable[Event], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for item in events:
        cal.add_component(item)
    return cal.to_ical()


def booking_ics(booking: Booking, station: Station) -> bytes:
    """The customer's .ics of their party (the manage page, the confirmation email)."""
    return calendar([event(booking, station)], name=f"{station.name} {booking.reference}")
