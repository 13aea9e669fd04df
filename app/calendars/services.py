"""What a calendar feed holds, and its secret token.

A feed shows the parties from FEED_PAST_DAYS ago onwards. A party that is cancelled
stays in the feed as STATUS:CANCELLED for CANCELLED_KEPT_DAYS (so subscribed calendars
remove it), then is dropped. The chef's feed carries no money (`audience="chef"`); the
station's does. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app import audit
from app.bookings.ics import calendar, event
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import HOLDS_SLOT, Booking, BookingEvent, BookingStatus, new_public_token
from app.models.chef import Chef
from app.models.station import Station

FEED_PAST_DAYS = 30
CANCELLED_KEPT_DAYS = 14
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _plausible(token: str) -> bool:
    return 16 <= len(token) <= 64 and set(token) <= TOKEN_CHARS


def chef_for_token(token: str) -> Chef | None:
    return db.session.scalar(select(Chef).where(Chef.calendar_token == token)) if _plausible(token) else None


def station_for_token(token: str) -> Station | None:
    return db.session.scalar(select(Station).where(Station.calendar_token == token)) if _plausible(token) else None


def regenerate(owner: Chef | Station) -> str:
    """A new secret for the owner's feed; the old URL stops working."""
    had_one = owner.calendar_token is not None
    owner.calendar_token = new_public_token()
    audit.record(
        "calendar_feed.regenerated" if had_one else "calendar_feed.created",
        owner,
        entity_type=type(owner).__name__,
        station_id=owner.station_id if isinstance(owner, Chef) else owner.id,
    )
    return owner.calendar_token


def _first_day(station: Station, now: datetime):
    return (now - timedelta(days=FEED_PAST_DAYS)).astimezone(ZoneInfo(station.timezone)).date()


def _recently_cancelled(station_id: int, now: datetime) -> list[tuple[Booking, BookingEvent]]:
    rows = db.session.execute(
        select(Booking, BookingEvent)
        .join(BookingEvent, BookingEvent.booking_id == Booking.id)
        .where(
            Booking.station_id == station_id,
            Booking.status.in_([BookingStatus.CANCELLED.value, BookingStatus.EXPIRED.value]),
            BookingEvent.kind.in_(["cancelled", "expired"]),
            BookingEvent.occurred_at >= now - timedelta(days=CANCELLED_KEPT_DAYS),
        )
    ).all()
    return [(booking, entry) for booking, entry in rows]


HOLDING = [s.value for s in HOLDS_SLOT]


def _holding_slots(station: Station, now: datetime, whose) -> list[Booking]:
    """The parties `whose` selects that hold their slot, from the feed's first day on."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(whose, Booking.status.in_(HOLDING), Booking.event_date >= _first_day(station, now))
            .order_by(Booking.starts_at)
        )
    )


def chef_feed(chef: Chef, *, now: datetime | None = None) -> bytes:
    """The chef's events (address, guests, menu notes, station contact; no money)."""
    now = now or utcnow()
    station = db.session.get(Station, chef.station_id)
    bookings = _holding_slots(station, now, Booking.chef_id == chef.id)
    # A cancelled party loses its chef; the cancellation remembers whose it was.
    bookings += [
        b for b, entry in _recently_cancelled(station.id, now) if (entry.after or {}).get("chef_id") == chef.id
    ]
    events = [event(b, station, audience="chef", now=now) for b in bookings]
    return calendar(events, name=f"{station.name}: {chef.name}")


def station_feed(station: Station, *, now: datetime | None = None) -> bytes:
    """Every party of the station, with the money, for its managers."""
    now = now or utcnow()
    bookings = _holding_slots(station, now, Booking.station_id == station.id)
    bookings += [b for b, _ in _recently_cancelled(station.id, now)]
    return calendar([event(b, station, audience="station", now=now) for b in bookings], name=station.name)
