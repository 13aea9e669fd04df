"""Which notifications a booking event or a periodic check calls for.

Keys (unique; the row is the memory of what was already decided):
- booking events:    booking:{id}:{event kind}:{event id}:{channel}:{role}
- deposit reminder:  booking:{id}:deposit_reminder:{channel}:customer
- 48 h reminder:     booking:{id}:reminder:{starts_at UTC}:{channel}:customer (a moved
                     booking is reminded of its new date)
- review request:    booking:{id}:review_request:{channel}:customer, and
                     booking:{id}:review_reminder:{channel}:customer
Roles: customer, chef-{chef id}, manager-{user id}.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.customers.contact import normalise_phone
from app.extensions import db
from app.models.booking import Booking, BookingEvent, BookingStatus
from app.models.chef import Chef
from app.models.delivery import QUEUED, SENDING, WENT_OUT
from app.models.outbox import Notification
from app.models.station import Station
from app.models.user import Role
from app.notifications import compose
from app.notifications.policy import MARKETING, TRANSACTIONAL
from app.notifications.sending import Spec, store
from app.tenancy import members

CUSTOMER_KIND = {
    "created": "booking_received",
    "confirmed": "booking_confirmed",
    "expired": "booking_expired",
    "cancelled": "booking_cancelled",
    "rescheduled": "booking_rescheduled",
    "guests_changed": "booking_guests_changed",
}
# Changes a customer makes themselves (app.selfservice): the station's managers and the chef hear of them.
CUSTOMER_CHANGES = frozenset({"rescheduled", "guests_changed", "cancelled"})
DEPOSIT_REMINDER_HOURS = 6  # before the deposit deadline
DEPOSIT_REMINDER_MIN_AGE = timedelta(hours=1)  # never right after "booking received"
REVIEW_LOOKBACK = timedelta(days=14)  # a scheduler down for days still catches up


def _customer_specs(booking: Booking, prefix: str, kind: str, purpose: str = TRANSACTIONAL) -> list[Spec]:
    # The contact given with the booking, not whatever the customer record holds now.
    return [
        Spec(f"{prefix}:email:customer", kind, "email", booking.notify_email or "", purpose),
        Spec(f"{prefix}:sms:customer", kind, "sms", booking.notify_phone or "", purpose),
    ]


def _chef_specs(chef: Chef | None, prefix: str, kind: str) -> list[Spec]:
    if chef is None:
        return []
    specs = []
    if chef.email:
        specs.append(Spec(f"{prefix}:email:chef-{chef.id}", kind, "email", chef.email))
    if chef.phone:
        specs.append(Spec(f"{prefix}:sms:chef-{chef.id}", kind, "sms", _e164(chef.phone)))
    return specs


def _e164(phone: str) -> str:
    """Chef phones are typed by staff: Twilio wants E.164 (an invalid one fails visibly)."""
    try:
        return normalise_phone(phone) or ""
    except ValueError:
        return phone


def _manager_specs(station: Station, prefix: str, kind: str) -> list[Spec]:
    return [
        Spec(f"{prefix}:email:manager-{user.id}", kind, "email", user.email)
        for user in members(station.id, Role.MANAGER)
    ]


def _write(booking: Booking, station: Station, specs: list[Spec], *, event=None) -> list[int]:
    chefs: dict[int, Chef | None] = {}

    def render(spec: Spec) -> compose.Rendered:
        role = spec.key.rsplit(":", 1)[-1]
        chef = None
        if role.startswith("chef-"):
            chef_id = int(role.removeprefix("chef-"))
            chef = chefs.setdefault(chef_id, db.session.get(Chef, chef_id))
        ctx = compose.context(booking, station, kind=spec.kind, purpose=spec.purpose, event=event, chef=chef)
        return compose.render(spec.kind, spec.channel, ctx)

    return store(specs, station_id=station.id, booking_id=booking.id, render=render)


def for_booking_event(booking_id: int, kind: str, event_id: int | None) -> list[int]:
    """Rows for one timeline entry (see app.bookings.timeline.ANNOUNCED)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return []
    event = db.session.get(BookingEvent, event_id) if event_id is not None else None
    if event is not None and event.booking_id != booking.id:
        return []
    station = db.session.get(Station, booking.station_id)
    prefix = f"booking:{booking.id}:{kind}:{event_id}"
    specs: list[Spec] = []
    if kind in CUSTOMER_KIND:
        specs += _customer_specs(booking, prefix, CUSTOMER_KIND[kind])
    if kind == "payment_recorded" and event is not None and (event.after or {}).get("kind") == "balance":
        specs += _customer_specs(booking, prefix, "balance_received")  # the receipt (a deposit's is "confirmed")
    if kind == "created":
        specs += _manager_specs(station, prefix, "staff_new_booking")
    elif kind == "rescheduled" and booking.chef_id:
        specs += _chef_specs(db.session.get(Chef, booking.chef_id), prefix, "chef_event_moved")
    elif kind == "chef_assigned":
        before = (event.before or {}).get("chef_id") if event else None
        after = (event.after or {}).get("chef_id") if event else booking.chef_id
        if after:
            specs += _chef_specs(db.session.get(Chef, after), prefix, "chef_assigned")
        if before and before != after:
            specs += _chef_specs(db.session.get(Chef, before), prefix, "chef_unassigned")
    if kind in CUSTOMER_CHANGES and event is not None and event.actor_label.startswith("customer"):
        specs += _manager_specs(station, f"{prefix}:customer_change", "customer_change")
        if kind == "guests_changed" and booking.chef_id:
            specs += _chef_specs(db.session.get(Chef, booking.chef_id), f"{prefix}:customer_change", "customer_change")
    # completed: nothing now; the review request follows from the periodic job.
    return _write(booking, station, specs, event=event)


# -- periodic -------------------------------------------------------------------------------


def deposit_reminders(now: datetime) -> list[int]:
    """Unpaid bookings whose deposit deadline is within DEPOSIT_REMINDER_HOURS."""
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.status == BookingStatus.PENDING_DEPOSIT.value,
            Booking.deposit_due_at > now,
            Booking.deposit_due_at <= now + timedelta(hours=DEPOSIT_REMINDER_HOURS),
            Booking.created_at <= now - DEPOSIT_REMINDER_MIN_AGE,
        )
        .order_by(Booking.deposit_due_at)
    ).all()
    ids: list[int] = []
    for booking in bookings:
        station = db.session.get(Station, booking.station_id)
        prefix = f"booking:{booking.id}:deposit_reminder"
        ids += _write(booking, station, _customer_specs(booking, prefix, "deposit_reminder"))
    return ids


BALANCE_EARLY_EXTRA_DAYS = 4  # the first balance reminder: this many days before the due day


def balance_reminders(now: datetime) -> list[int]:
    """Confirmed bookings with a balance: a reminder (with the pay link) N+4 days and N days
    before the event, N = the station's balance_due_days; once each (keys carry the date,
    so a moved party is reminded of its new one). Past the first window only the second goes."""
    ids: list[int] = []
    for station in db.session.scalars(select(Station).where(Station.is_active.is_(True))).all():
        due_days = station.settings.balance_due_days
        today = now.astimezone(ZoneInfo(station.timezone)).date()
        bookings = db.session.scalars(
            select(Booking)
            .where(
                Booking.station_id == station.id,
                Booking.status == BookingStatus.CONFIRMED.value,
                Booking.starts_at > now,
                Booking.event_date <= today + timedelta(days=due_days + BALANCE_EARLY_EXTRA_DAYS),
                Booking.total_cents > Booking.paid_cents - Booking.refunded_cents,
            )
            .order_by(Booking.starts_at)
        ).all()
        for booking in bookings:
            stage = "due" if (booking.event_date - today).days <= due_days else "early"
            prefix = f"booking:{booking.id}:balance_reminder:{stage}:{booking.event_date.isoformat()}"
            ids += _write(booking, station, _customer_specs(booking, prefix, "balance_reminder"))
    return ids


def event_reminders(now: datetime) -> list[int]:
    """Confirmed bookings starting within the station's reminder_hours_before (48 h)."""
    ids: list[int] = []
    for station in db.session.scalars(select(Station).where(Station.is_active.is_(True))).all():
        window = timedelta(hours=station.settings.reminder_hours_before)
        bookings = db.session.scalars(
            select(Booking)
            .where(
                Booking.station_id == station.id,
                Booking.status == BookingStatus.CONFIRMED.value,
                Booking.starts_at > now,
                Booking.starts_at <= now + window,
            )
            .order_by(Booking.starts_at)
        ).all()
        for booking in bookings:
            if booking.confirmed_at is not None and booking.confirmed_at >= booking.starts_at - window:
                continue  # confirmed inside the window: the confirmation was the reminder
            prefix = f"booking:{booking.id}:reminder:{booking.starts_at:%Y%m%dT%H%MZ}"
            ids += _write(booking, station, _customer_specs(booking, prefix, "event_reminder"))
    return ids


REVIEW_COOLDOWN_DAYS = 90  # default of the settings override review_cooldown_days


def _review_request_blockers(booking_ids: list[int], now: datetime, cooldown: timedelta | None) -> set[int]:
    """Bookings (of `booking_ids`) that must not be asked for a review now.

    A review for the booking already exists; the customer has an open complaint; or,
    with `cooldown`, the customer was asked about another party within it (so a
    regular is not asked after every party).
    """
    from sqlalchemy import and_, exists, or_

    from app.models.conversation import Conversation
    from app.models.review import Review

    other = db.aliased(Booking)
    reasons = [
        exists().where(Review.booking_id == Booking.id),
        exists().where(
            Conversation.customer_id == Booking.customer_id,
            Conversation.intent == "complaint",
            Conversation.status == "open",
        ),
    ]
    if cooldown is not None:
        reasons.append(
            exists().where(
                and_(
                    Notification.booking_id == other.id,
                    other.customer_id == Booking.customer_id,
                    other.id != Booking.id,
                    Notification.kind == "review_request",
                    Notification.status.in_((QUEUED, SENDING, *WENT_OUT)),
                    Notification.created_at > now - cooldown,
                )
            )
        )
    return set(db.session.scalars(select(Booking.id).where(Booking.id.in_(booking_ids), or_(*reasons))))


def review_cooldown(station: Station) -> timedelta:
    """Settings override `review_cooldown_days` (default 90): one request per customer per period."""
    raw = (station.settings_overrides or {}).get("review_cooldown_days", REVIEW_COOLDOWN_DAYS)
    days = raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else REVIEW_COOLDOWN_DAYS
    return timedelta(days=days)


def review_requests(now: datetime) -> list[int]:
    """Completed, unrefunded bookings: a request after the delay, one reminder later.

    None for a party already reviewed, while the customer has an open complaint, or
    when the customer was asked about another party within the cooldown.
    """
    ids: list[int] = []
    for station in db.session.scalars(select(Station).where(Station.is_active.is_(True))).all():
        settings = station.settings
        due = now - timedelta(hours=settings.review_request_delay_hours)
        bookings = db.session.scalars(
            select(Booking)
            .where(
                Booking.station_id == station.id,
                Booking.status == BookingStatus.COMPLETED.value,
                Booking.refunded_cents == 0,
                Booking.completed_at <= due,
                Booking.completed_at > due - REVIEW_LOOKBACK,
            )
            .order_by(Booking.completed_at)
        ).all()
        cooldown = review_cooldown(station)
        for booking in bookings:
            # One at a time: a request written for one party starts the cooldown of the next.
            if _review_request_blockers([booking.id], now, cooldown):
                continue
            prefix = f"booking:{booking.id}:review_request"
            ids += _write(booking, station, _customer_specs(booking, prefix, "review_request", MARKETING))

        # The reminder, on each channel whose request actually went out.
        reminder_due = now - timedelta(days=settings.review_reminder_days)
        asked = db.session.execute(
            select(Notification.booking_id, Notification.channel)
            .join(Booking, Booking.id == Notification.booking_id)
            .where(
                Notification.station_id == station.id,
                Notification.kind == "review_request",
                Notification.status.in_(WENT_OUT),
                Notification.sent_at <= reminder_due,
                Notification.sent_at > reminder_due - REVIEW_LOOKBACK,
                Booking.status == BookingStatus.COMPLETED.value,
                Booking.refunded_cents == 0,
            )
            .order_by(Notification.booking_id)
        ).all()
        channels: dict[int, set[str]] = {}
        for booking_id, channel in asked:
            channels.setdefault(booking_id, set()).add(channel)
        # Reviewed meanwhile, or a complaint opened: no reminder (the cooldown is the request's).
        blocked = _review_request_blockers(list(channels), now, None) if channels else set()
        for booking_id, sent_on in channels.items():
            if booking_id in blocked:
                continue
            booking = db.session.get(Booking, booking_id)
            prefix = f"booking:{booking.id}:review_reminder"
            specs = [s for s in _customer_specs(booking, prefix, "review_reminder", MARKETING) if s.channel in sent_on]
            ids += _write(booking, station, specs)
    return ids
