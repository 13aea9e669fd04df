"""Whether a notification may go now: address, relevance, consent, STOP, quiet hours.

Decided when the row is about to be sent (not when it was written), so a STOP, a
refund or a cancellation that arrives in between still counts.

Rules
- Transactional messages (booking lifecycle, reminders, chef and staff messages) go
  to the address the customer gave for the booking; marketing ones (review requests)
  need the customer's consent on that channel.
- SMS never goes to a customer whose latest STOP (a consent record from the SMS
  keyword handler, source "sms.stop...", either purpose) has not been lifted by a
  later grant (START or a new opt-in).
- Quiet hours (station-local, may cross midnight) hold back marketing SMS and the
  unprompted reminder SMS (deposit reminder, 48 h reminder). A held-back SMS is
  deferred, not dropped: it stays pending and the periodic sweep sends it once quiet
  hours end. When the end of quiet hours is already too late (after the deposit
  deadline, or the event), the reminder goes at once instead. Messages that answer
  the customer's own action (booking received, confirmed, cancelled, rescheduled)
  and expiry notices are not held back; email never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.customer import ConsentRecord, Customer
from app.models.outbox import Notification
from app.models.station import Station

MARKETING = "marketing"
TRANSACTIONAL = "transactional"

# Customer SMS of these kinds wait for the end of quiet hours (marketing ones always do).
QUIET_HOURS_KINDS = frozenset({"deposit_reminder", "event_reminder", "balance_reminder"})

# What the booking must still be for these messages to make sense when they go out.
STILL_RELEVANT = {
    "booking_received": (BookingStatus.PENDING_DEPOSIT, BookingStatus.CONFIRMED),
    "booking_confirmed": (BookingStatus.CONFIRMED, BookingStatus.COMPLETED),
    "deposit_reminder": (BookingStatus.PENDING_DEPOSIT,),
    "event_reminder": (BookingStatus.CONFIRMED,),
    "review_request": (BookingStatus.COMPLETED,),
    "review_reminder": (BookingStatus.COMPLETED,),
}


@dataclass(frozen=True)
class Decision:
    action: str  # send | skip | defer
    reason: str = ""
    until: datetime | None = None

    @classmethod
    def send(cls) -> Decision:
        return cls("send")

    @classmethod
    def skip(cls, reason: str) -> Decision:
        return cls("skip", reason)


def role_of(notification: Notification) -> str:
    """The recipient's role: the last part of the key (customer, chef-3, manager-7)."""
    return notification.key.rsplit(":", 1)[-1]


# -- quiet hours ----------------------------------------------------------------------------


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A station-local wall time as an aware datetime; a DST gap moves it forward."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone)
    return round_trip if round_trip.replace(tzinfo=None) != naive else aware


def quiet_hours_end(station: Station, now: datetime) -> datetime | None:
    """When the quiet hours that `now` falls in end (UTC), or None outside quiet hours."""
    settings = station.settings
    start, end = _hhmm(settings.quiet_hours_start), _hhmm(settings.quiet_hours_end)
    if start == end:
        return None
    zone = ZoneInfo(station.timezone)
    local = now.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    if start < end:  # e.g. 00:00-07:00, within one day
        quiet, end_day = start <= at < end, local.date()
    else:  # e.g. 21:00-08:00, across midnight
        quiet = at >= start or at < end
        end_day = local.date() + timedelta(days=1) if at >= start else local.date()
    if not quiet:
        return None
    return _local(end_day, end, zone).astimezone(ZoneInfo("UTC"))


def next_quiet_hours(station: Station, now: datetime) -> tuple[datetime, datetime] | None:
    """When the station's next quiet hours begin and end (UTC), after `now`; None without any."""
    settings = station.settings
    start = _hhmm(settings.quiet_hours_start)
    if start == _hhmm(settings.quiet_hours_end):
        return None
    zone = ZoneInfo(station.timezone)
    local = now.astimezone(zone)
    begins = _local(local.date(), start, zone)
    if begins <= now:
        begins = _local(local.date() + timedelta(days=1), start, zone)
    begins = begins.astimezone(ZoneInfo("UTC"))
    return begins, quiet_hours_end(station, begins)


# -- consent --------------------------------------------------------------------------------


def sms_stopped(customer: Customer) -> bool:
    """True when the customer's latest STOP has not been lifted by a later grant."""
    latest = db.session.execute(
        select(ConsentRecord.granted)
        .where(
            ConsentRecord.customer_id == customer.id,
            ConsentRecord.channel == "sms",
            or_(ConsentRecord.source.like("sms.stop%"), ConsentRecord.granted.is_(True)),
        )
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    ).first()
    return latest is not None and not latest.granted


def _deadline(notification: Notification, booking: Booking) -> datetime | None:
    """After this a deferred reminder is pointless."""
    if notification.kind == "deposit_reminder":
        return booking.deposit_due_at
    if notification.kind == "event_reminder":
        return booking.starts_at
    return None


def decide(notification: Notification, now: datetime) -> Decision:
    """send, skip (with the reason staff will read) or defer (until the time given)."""
    channel = notification.channel
    if not notification.recipient:
        return Decision.skip("no email address" if channel == "email" else "no phone number")
    booking = db.session.get(Booking, notification.booking_id) if notification.booking_id else None
    if booking is not None:
        wanted = STILL_RELEVANT.get(notification.kind)
        if wanted and booking.status not in wanted:
            return Decision.skip(f"no longer relevant: the booking is {booking.status}")
        if notification.kind.startswith("review_") and booking.refunded_cents > 0:
            return Decision.skip("no review request after a refund")
        deadline = _deadline(notification, booking)
        if deadline is not None and deadline <= now:
            return Decision.skip("too late: its moment has passed")
    if role_of(notification) != "customer" or booking is None:
        return Decision.send()

    customer = booking.customer
    marketing = notification.purpose == MARKETING
    if channel == "email":
        if marketing and not customer.email_consent:
            return Decision.skip("no email marketing consent")
        return Decision.send()

    if sms_stopped(customer):
        return Decision.skip("customer replied STOP")
    if marketing and not customer.sms_consent:
        return Decision.skip("no SMS marketing consent")
    if marketing or notification.kind in QUIET_HOURS_KINDS:
        station = db.session.get(Station, booking.station_id)
        until = quiet_hours_end(station, now)
        if until is not None:
            deadline = _deadline(notification, booking)
            if deadline is not None and until >= deadline:
                return Decision.send()  # waiting would make it useless: send it now
            return Decision("defer", "quiet hours", until)
    return Decision.send()
