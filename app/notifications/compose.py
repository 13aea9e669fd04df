"""What a notification says: subject and bodies rendered from templates/notifications/.

Email: `notifications/email/<kind>.html` and `.txt` (both extend a layout carrying
the station's branding); SMS: `notifications/sms/<kind>.txt`. Rendered once, when the
row is written, so the Sent messages page shows exactly what went out.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.customers.contact import display_phone
from app.models.booking import Booking, BookingEvent
from app.models.chef import Chef
from app.models.station import Station
from app.notifications.review_links import review_token
from app.web import urls
from app.web.formatting import money

log = logging.getLogger(__name__)

SUBJECTS = {
    "booking_received": "Booking {reference} received: deposit due {deposit_due_short}",
    "booking_confirmed": "Booking {reference} confirmed: deposit received",
    "booking_expired": "Booking {reference} expired",
    "booking_cancelled": "Booking {reference} cancelled",
    "booking_rescheduled": "Booking {reference} moved to {when_short}",
    "deposit_reminder": "Reminder: the deposit for {reference} is due {deposit_due_short}",
    "event_reminder": "See you {when_short}: your hibachi party {reference}",
    "review_request": "How was your hibachi party, {first_name}?",
    "review_reminder": "A minute for a review of {station_name}?",
    "chef_assigned": "New event: {when_short}, {guests} guests",
    "chef_unassigned": "Event removed from your schedule: {when_short}",
    "chef_event_moved": "Event moved: now {when_short}",
    "staff_new_booking": "New booking {reference}: {when_short}, {guests} guests",
    "booking_guests_changed": "Booking {reference}: now {guests} guests",
    "customer_change": "Changed by the customer: {reference}, {when_short}",
    "balance_reminder": "The balance for {reference} is due {balance_due_on}",
    "balance_received": "Receipt: payment received for {reference}",
}
# Messages to the customer about their booking: they carry the manage link (/b/<token>).
MANAGE_LINK_KINDS = frozenset(
    {
        "booking_received",
        "booking_confirmed",
        "booking_rescheduled",
        "booking_guests_changed",
        "deposit_reminder",
        "event_reminder",
        "balance_reminder",
        "balance_received",
    }
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str | None


# URLs: built from PUBLIC_BASE_URL, jobs have no request (re-exported for the templates' callers).
public_url = urls.public_url


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="teppan.unsubscribe.email")


def unsubscribe_token(customer_id: int) -> str:
    return _unsubscribe_serializer().dumps({"c": customer_id})


def customer_from_unsubscribe_token(token: str) -> int | None:
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    customer_id = data.get("c") if isinstance(data, dict) else None
    return customer_id if isinstance(customer_id, int) else None


def review_url(booking: Booking) -> str:
    """The booking's signed review link (the public review page)."""
    return public_url("reviews_public.page", review_token=review_token(booking.id))


def deposit_url(booking: Booking) -> str | None:
    """The payments area's checkout link for the deposit, when it offers one.

    Looks for `checkout_url(booking)` in app.payments (or its services module); without
    it (or without Stripe) the messages say how to pay by reply or phone instead.
    """
    for module_name in ("app.payments", "app.payments.services"):
        try:
            helper = getattr(importlib.import_module(module_name), "checkout_url", None)
        except ImportError:
            continue
        if helper is None:
            continue
        try:
            return helper(booking) or None
        except Exception:  # no link is better than no message
            log.exception("checkout_url failed for booking %s", booking.id)
            return None
    return None


# -- context ------------------------------------------------------------------------------


def _when(value: datetime | None, zone: ZoneInfo, locale: str, pattern: str) -> str:
    if value is None:
        return ""
    return format_datetime(value, pattern, tzinfo=zone, locale=locale)


LONG = "EEEE, MMMM d, y 'at' h:mm a zzz"
SHORT = "EEE MMM d, h:mm a"


def refund_text(booking: Booking, station: Station) -> str:
    days = station.settings.refund_cutoff_days
    paid = booking.paid_cents - booking.refunded_cents
    if paid <= 0:
        return "No payment was taken, so there is nothing to refund."
    amount = money(min(paid, booking.deposit_cents), booking.currency, station.settings.locale)
    if booking.refund_eligible:
        return (
            f"Cancelled {days} or more days before the event, your deposit of {amount} is refundable: "
            "we will refund it to the original payment method."
        )
    return (
        f"Cancelled less than {days} days before the event, the deposit of {amount} is not refundable "
        "under our policy. Reply if you think this is a mistake."
    )


def context(
    booking: Booking,
    station: Station,
    *,
    kind: str,
    purpose: str,
    event: BookingEvent | None = None,
    chef: Chef | None = None,
) -> dict[str, Any]:
    settings = station.settings
    zone = ZoneInfo(station.timezone)
    locale = settings.locale

    def fmt(cents: int) -> str:
        return money(cents, booking.currency, locale)

    customer = booking.customer
    previous_when = ""
    if event is not None and event.kind == "rescheduled" and event.before:
        previous_when = f"{event.before.get('event_date')} at {event.before.get('slot')}"
    ctx: dict[str, Any] = {
        "kind": kind,
        "purpose": purpose,
        "station": station,
        "station_name": station.name,
        "station_phone": display_phone(station.phone) if station.phone else "",
        "booking": booking,
        "customer": customer,
        "customer_phone": display_phone(booking.notify_phone) if booking.notify_phone else "",
        "first_name": (customer.name or "").split(" ")[0] or "there",
        "reference": booking.reference,
        "when": _when(booking.starts_at, zone, locale, LONG),
        "when_short": _when(booking.starts_at, zone, locale, SHORT),
        "previous_when": previous_when,
        "guests": booking.guests,
        "total": fmt(booking.total_cents),
        "deposit": fmt(booking.deposit_cents),
        "paid": fmt(booking.paid_cents - booking.refunded_cents),
        "balance": fmt(booking.balance_cents),
        "deposit_paid": booking.paid_cents >= booking.deposit_cents,
        "deposit_due": _when(booking.deposit_due_at, zone, locale, LONG),
        "deposit_due_short": _when(booking.deposit_due_at, zone, locale, SHORT),
        "deposit_url": None,
        "refund_text": refund_text(booking, station) if kind == "booking_cancelled" else "",
        "chef": chef,
        "review_url": review_url(booking),
        "booking_admin_url": public_url("bookings.show", station_slug=station.slug, booking_id=booking.id),
        "unsubscribe_url": None,
        "manage_url": None,
        "change_text": "",
        "balance_due_on": format_date(
            booking.event_date - timedelta(days=settings.balance_due_days), "EEE MMM d", locale=locale
        ),
    }
    # When the balance is due, for "Balance due ...": the station's balance_due_days before the party.
    ctx["balance_due_text"] = f"by {ctx['balance_due_on']}" if settings.balance_due_days else "on the day"
    if kind in MANAGE_LINK_KINDS and booking.manage_token:
        ctx["manage_url"] = public_url("manage.page", manage_token=booking.manage_token)
    if kind == "customer_change" and event is not None:
        ctx["change_text"] = change_text(event, booking, with_money=chef is None)
    if kind in ("booking_received", "deposit_reminder") and not ctx["deposit_paid"]:
        ctx["deposit_url"] = deposit_url(booking)
    if purpose == "marketing" and customer is not None:
        ctx["unsubscribe_url"] = public_url("notification_webhooks.unsubscribe", token=unsubscribe_token(customer.id))
    return ctx


def change_text(event: BookingEvent, booking: Booking, *, with_money: bool) -> str:
    """One line saying what the customer changed (chefs never see money)."""
    before, after = event.before or {}, event.after or {}
    if event.kind == "rescheduled":
        moved_from = f"{before.get('event_date')} {before.get('slot')}"
        return f"Moved from {moved_from} to {after.get('event_date')} {after.get('slot')}."
    if event.kind == "guests_changed":
        was = before.get("adults", 0) + before.get("children", 0)
        text = f"Guests: {was} -> {after.get('adults', 0) + after.get('children', 0)}"
        text += f" (+{booking.toddlers} under 6)." if booking.toddlers else "."
        if with_money:
            text += f" New total {money(booking.total_cents, booking.currency)}."
        return text
    if event.kind == "cancelled":
        return f"Cancelled. {event.note}".strip()
    return event.note or event.kind


def _render_template(name: str, ctx: dict[str, Any]) -> str:
    """The app's Jinja environment without its page context processors.

    Jobs render with an app context only: the processors that fill page layouts read
    the signed-in user and the request, which a worker does not have.
    """
    return current_app.jinja_env.get_template(name).render(ctx)


def render(kind: str, channel: str, ctx: dict[str, Any]) -> Rendered:
    if channel == "sms":
        text = _render_template(f"notifications/sms/{kind}.txt", ctx).strip()
        return Rendered("", " ".join(text.split()), None)
    subject = SUBJECTS[kind].format(**ctx)
    ctx = {**ctx, "subject": subject}
    return Rendered(
        subject=subject[:255],
        body_text=_render_template(f"notifications/email/{kind}.txt", ctx).strip() + "\n",
        body_html=_render_template(f"notifications/email/{kind}.html", ctx),
    )
