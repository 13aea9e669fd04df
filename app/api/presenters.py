"""Response bodies built from domain objects, through the response models of
app/api/schemas.py so that every answer matches the published schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.api import schemas as out
from app.availability.services import SlotInfo
from app.models.booking import Booking, BookingStatus
from app.models.station import Station
from app.pricing import format_money
from app.selfservice import rules
from app.stations.settings import MenuItem, StationSettings
from app.web.urls import public_url

REASONS: dict[str, out.SlotReason] = {
    "too soon": "too_soon",
    "too far ahead": "too_far_ahead",
    "no chef available": "unavailable",
    "full": "full",
}


def dump(model: out.BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)


def money(cents: int, settings: StationSettings | None = None, currency: str | None = None) -> out.Money:
    currency = currency or (settings.currency if settings else "USD")
    locale = settings.locale if settings else "en_US"
    return out.Money(cents=cents, formatted=format_money(cents, currency, locale))


def station_out(station: Station) -> out.StationOut:
    return out.StationOut(
        slug=station.slug,
        name=station.name,
        timezone=station.timezone,
        phone=station.phone or "",
        email=station.email or "",
        zip=station.zip_code or "",
    )


def _item(item: MenuItem, settings: StationSettings) -> out.MenuItemOut:
    return out.MenuItemOut(key=item.key, label=item.label, price=money(item.price_cents, settings))


def _policy_summary(s: StationSettings) -> list[str]:
    deposit = format_money(s.deposit_cents, s.currency, s.locale)
    return [
        f"A {deposit} deposit is due within {s.deposit_due_hours} hours of booking; "
        "unpaid, the booking expires and the slot is released.",
        f"The balance is due {s.balance_due_days} days before the event. {s.gratuity_text()}"
        if s.balance_due_days
        else f"The balance is due on the event day. {s.gratuity_text()}",
        f"Ways to pay by hand: {s.payment_methods_text()}.",
        f"The deposit is refundable when you cancel {s.refund_cutoff_days} or more days before the event.",
        f"{s.free_reschedules} free reschedule(s) with at least {s.reschedule_notice_hours} hours' notice.",
        f"The guest count is final {s.guest_count_final_hours} hours before the event.",
    ]


def menu_out(station: Station) -> out.MenuOut:
    s = station.settings
    return out.MenuOut(
        station=station.slug,
        currency=s.currency,
        guests=[
            out.GuestPrice(label="Adult", min_age=s.adult_min_age, price=money(s.adult_price_cents, s)),
            out.GuestPrice(
                label="Child",
                min_age=s.child_min_age,
                max_age=s.adult_min_age - 1,
                price=money(s.child_price_cents, s),
            ),
            out.GuestPrice(label="Toddler", min_age=0, max_age=max(s.child_min_age - 1, 0), price=money(0, s)),
        ],
        proteins=out.Proteins(choices=list(s.proteins), per_guest=s.proteins_per_guest),
        upgrades=[_item(i, s) for i in s.upgrades],
        add_ons=[_item(i, s) for i in s.add_ons],
        party_minimum=money(s.party_minimum_cents, s),
        deposit=out.Deposit(amount=money(s.deposit_cents, s), due_hours=s.deposit_due_hours),
        travel=out.Travel(
            free_miles=s.travel_free_miles,
            per_mile=money(s.travel_per_mile_cents, s),
            service_radius_miles=s.service_radius_miles,
            note="Distance is estimated from the station's ZIP code to the party's ZIP code.",
        ),
        slots=out.SlotRules(
            times=list(s.slot_times),
            duration_minutes=s.slot_duration_minutes,
            lead_time_hours=s.lead_time_hours,
            horizon_days=s.horizon_days,
            timezone=station.timezone,
        ),
        policies=out.Policies(
            refund_cutoff_days=s.refund_cutoff_days,
            free_reschedules=s.free_reschedules,
            reschedule_notice_hours=s.reschedule_notice_hours,
            guest_count_final_hours=s.guest_count_final_hours,
            summary=_policy_summary(s),
        ),
    )


def slot_out(info: SlotInfo) -> out.SlotOut:
    return out.SlotOut(
        date=info.day,
        time=info.slot_time,
        starts_at=info.starts_at,
        remaining=info.remaining if info.bookable else 0,
        bookable=info.bookable,
        reason=None if info.bookable else REASONS.get(info.reason, "unavailable"),
    )


def quote_out(data: Mapping[str, Any], settings: StationSettings | None = None) -> out.QuoteOut:
    """A quote as `Quote.as_dict()` gives it (also a booking's stored snapshot), formatted."""
    currency = data["currency"]
    locale = settings.locale if settings else "en_US"

    def fmt(cents: int) -> str:
        return format_money(cents, currency, locale)

    distance = data.get("distance")
    return out.QuoteOut(
        version=data.get("version", 1),
        currency=currency,
        lines=[
            out.QuoteLineOut(
                label=line["label"],
                quantity=line["quantity"],
                unit_cents=line["unit_cents"],
                amount_cents=line["amount_cents"],
                kind=line["kind"],
                key=line.get("key"),
                amount=fmt(line["amount_cents"]),
            )
            for line in data["lines"]
        ],
        subtotal_cents=data["subtotal_cents"],
        minimum_applied=data["minimum_applied"],
        travel_cents=data["travel_cents"],
        discount_cents=data["discount_cents"],
        total_cents=data["total_cents"],
        deposit_cents=data["deposit_cents"],
        balance_cents=data["balance_cents"],
        distance=out.DistanceOut(**distance) if distance else None,
        formatted=out.QuoteTotals(
            subtotal=fmt(data["subtotal_cents"]),
            travel=fmt(data["travel_cents"]),
            discount=fmt(data["discount_cents"]),
            total=fmt(data["total_cents"]),
            deposit=fmt(data["deposit_cents"]),
            balance=fmt(data["balance_cents"]),
        ),
    )


def manage_url(booking: Booking) -> str:
    """The customer's own page (PUBLIC_BASE_URL/b/<manage token>): emails, SMS and the API link to it."""
    return public_url("manage.page", manage_token=booking.manage_token)


def status_url(booking: Booking) -> str:
    """Absolute, from PUBLIC_BASE_URL, so that a replayed answer is the same everywhere."""
    return public_url("api.booking_status", public_token=booking.public_token)


def deposit_url(booking: Booking) -> str | None:
    """PUBLIC_BASE_URL/pay/<token> when card payments are on; None: deposits recorded by staff."""
    from app.integrations import stripe_enabled
    from app.payments.checkout import pay_url

    return pay_url(booking.public_token) if stripe_enabled() else None


def _guests(booking: Booking) -> out.Guests:
    return out.Guests(adults=booking.adults, children=booking.children, toddlers=booking.toddlers, total=booking.guests)


def booking_created(booking: Booking, station: Station) -> out.BookingCreated:
    s = station.settings
    return out.BookingCreated(
        reference=booking.reference,
        public_token=booking.public_token,
        status=booking.status,
        station=station.slug,
        event_date=booking.event_date,
        slot=booking.slot_time,
        starts_at=booking.starts_at,
        guests=_guests(booking),
        total=money(booking.total_cents, s, booking.currency),
        deposit=money(booking.deposit_cents, s, booking.currency),
        deposit_due_at=booking.deposit_due_at,
        quote=quote_out(booking.quote, s),
        status_url=status_url(booking),
        manage_url=manage_url(booking),
        deposit_url=deposit_url(booking),
    )


def booking_status(booking: Booking, station: Station) -> out.BookingStatus:
    """What the customer may see: no address, contact details, notes or staff data."""
    s = station.settings
    paid = max(booking.paid_cents - booking.refunded_cents, 0)
    awaiting = booking.status == BookingStatus.PENDING_DEPOSIT.value
    return out.BookingStatus(
        reference=booking.reference,
        status=booking.status,
        station=out.StationContact(
            slug=station.slug, name=station.name, phone=station.phone or "", email=station.email or ""
        ),
        event_date=booking.event_date,
        slot=booking.slot_time,
        starts_at=booking.starts_at,
        guests=_guests(booking),
        total=money(booking.total_cents, s, booking.currency),
        paid=money(paid, s, booking.currency),
        balance=money(booking.balance_cents, s, booking.currency),
        deposit=money(booking.deposit_cents, s, booking.currency),
        deposit_paid=paid >= booking.deposit_cents,
        deposit_due_at=booking.deposit_due_at if awaiting else None,
        balance_due_on=rules.balance_due_at(station, booking),
        manage_url=manage_url(booking),
        actions=[
            out.ActionOut(action=item.action, allowed=item.allowed, rule=item.rule, reason=item.reason)
            for item in rules.allowed_actions(station, booking)
        ],
    )
