"""Models of the public API that app/bookings/schemas.py does not have: the lead form,
every response body and the error body. The OpenAPI document is generated from these
(and the booking request models), so the spec and the code cannot drift apart."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.bookings.schemas import Attribution
from app.customers.contact import OptionalContact

# --- requests -------------------------------------------------------------------------

# ASCII digits only: a regex \d also matches other scripts' digits.
Zip = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]


class LeadRequest(OptionalContact):
    """A quote request or contact form from the public site."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["quote_request", "contact_form"] = Field(
        default="contact_form", description="Which form was sent; becomes the lead's source"
    )
    station: str | None = Field(
        default=None, max_length=60, description="Station slug; when absent, the station nearest the ZIP"
    )
    name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(default=None, max_length=255, description="Email and/or phone is required")
    phone: str | None = Field(default=None, max_length=32)
    message: str = Field(default="", max_length=5000)
    event_date: dt.date | None = None
    guests: int | None = Field(default=None, ge=1, le=500)
    zip_code: Zip | None = Field(default=None, description="Party ZIP")
    attribution: Attribution = Field(default_factory=Attribution)

    @model_validator(mode="after")
    def _some_contact(self) -> LeadRequest:
        if not self.email and not self.phone:
            raise ValueError("give an email address or a phone number so we can answer")
        return self


# --- responses ------------------------------------------------------------------------


class Money(BaseModel):
    cents: int = Field(description="Integer minor units")
    formatted: str = Field(description='For display, e.g. "$55.00"')


class StationOut(BaseModel):
    slug: str
    name: str
    timezone: str = Field(description="IANA zone; dates and slot times are local to it")
    phone: str
    email: str
    zip: str


class StationList(BaseModel):
    stations: list[StationOut]


class StationContact(BaseModel):
    slug: str
    name: str
    phone: str
    email: str


class MenuItemOut(BaseModel):
    key: str = Field(description="Use as key in `upgrades` / `add_ons` of a quote or booking")
    label: str
    price: Money


class GuestPrice(BaseModel):
    label: str
    min_age: int
    max_age: int | None = None
    price: Money


class Proteins(BaseModel):
    choices: list[str]
    per_guest: int


class Deposit(BaseModel):
    amount: Money
    due_hours: int = Field(description="Hours after booking; unpaid, the booking expires")


class Travel(BaseModel):
    free_miles: int
    per_mile: Money
    service_radius_miles: int
    note: str


class SlotRules(BaseModel):
    times: list[str] = Field(description="Station-local start times")
    duration_minutes: int
    lead_time_hours: int
    horizon_days: int
    timezone: str


class Policies(BaseModel):
    refund_cutoff_days: int
    free_reschedules: int
    reschedule_notice_hours: int
    guest_count_final_hours: int
    summary: list[str]


class MenuOut(BaseModel):
    station: str
    currency: str
    guests: list[GuestPrice]
    proteins: Proteins
    upgrades: list[MenuItemOut] = Field(description="Priced per portion")
    add_ons: list[MenuItemOut] = Field(description="Priced per portion")
    party_minimum: Money
    deposit: Deposit
    travel: Travel
    slots: SlotRules
    policies: Policies


SlotReason = Literal["too_soon", "too_far_ahead", "unavailable", "full"]


class SlotOut(BaseModel):
    date: dt.date
    time: str = Field(description="Station-local start")
    starts_at: dt.datetime = Field(description="The same instant in UTC")
    remaining: int = Field(description="Parties this slot can still take")
    bookable: bool
    reason: SlotReason | None = Field(description="Why it cannot be booked, null when it can")


class AvailabilityOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    station: str
    timezone: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    slots: list[SlotOut] = Field(description="Every slot of every day in the range, bookable or not")


class QuoteLineOut(BaseModel):
    label: str
    quantity: int
    unit_cents: int
    amount_cents: int
    kind: Literal["guests", "upgrade", "add_on", "minimum", "travel", "discount"]
    key: str | None
    amount: str = Field(description="amount_cents formatted")


class DistanceOut(BaseModel):
    miles: float
    estimate: bool
    method: str | None


class QuoteTotals(BaseModel):
    subtotal: str
    travel: str
    discount: str
    total: str
    deposit: str
    balance: str


class QuoteOut(BaseModel):
    version: int
    currency: str
    lines: list[QuoteLineOut]
    subtotal_cents: int = Field(description="Food after the party minimum")
    minimum_applied: bool
    travel_cents: int
    discount_cents: int
    total_cents: int
    deposit_cents: int
    balance_cents: int
    distance: DistanceOut | None = Field(description="Miles from the station; an estimate")
    formatted: QuoteTotals


class QuoteResponse(BaseModel):
    station: str
    quote: QuoteOut
    deposit_due_hours: int


class Guests(BaseModel):
    adults: int
    children: int
    toddlers: int
    total: int


class BookingCreated(BaseModel):
    reference: str = Field(description="Say it on the phone: TP-XXXXXXXXX (older bookings: TP-XXXXXX)")
    public_token: str = Field(description="Secret of this booking's status URL")
    status: str
    station: str
    event_date: dt.date
    slot: str
    starts_at: dt.datetime
    guests: Guests
    total: Money
    deposit: Money
    deposit_due_at: dt.datetime | None = Field(description="Unpaid by then, the booking expires")
    quote: QuoteOut
    status_url: str
    manage_url: str = Field(
        description=(
            "The customer's own page for this booking (PUBLIC_BASE_URL/b/<manage token>): move it, change "
            "the guests, cancel, pay, message the station. Its last part is the token of the booking's "
            "POST /bookings/{token}/... actions; staff can re-issue it (the old one then answers 404)."
        )
    )
    deposit_url: str | None = Field(
        default=None,
        description=(
            "Where the customer pays the deposit by card (a page that forwards to Stripe Checkout). "
            "null when card payments are not configured: the station then records the deposit by hand "
            "(the station's ways to pay, e.g. cash, Venmo, Zelle, check)."
        ),
    )


class ActionOut(BaseModel):
    action: Literal["reschedule", "change_guests", "cancel", "pay_balance", "message", "add_to_calendar"]
    allowed: bool
    rule: str = Field(description="When not allowed: the rule, e.g. reschedule_notice, guest_count_final")
    reason: str = Field(description="When not allowed: why, in words")


class BookingStatus(BaseModel):
    reference: str
    status: Literal["pending_deposit", "confirmed", "completed", "cancelled", "expired", "no_show"]
    station: StationContact
    event_date: dt.date
    slot: str
    starts_at: dt.datetime
    guests: Guests
    total: Money
    paid: Money
    balance: Money
    deposit: Money
    deposit_paid: bool
    deposit_due_at: dt.datetime | None = Field(description="Set while the deposit is awaited")
    balance_due_on: dt.date = Field(description="Station-local day the balance is due (balance_due_days before)")
    manage_url: str = Field(description="The customer's own page for this booking (see BookingCreated)")
    actions: list[ActionOut] = Field(description="What the customer may do now, and why not")


class RescheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_date: dt.date
    slot: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="One of the station's slot times")


class GuestsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adults: int = Field(ge=1, le=200)
    children: int = Field(default=0, ge=0, le=200)


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class LeadReceived(BaseModel):
    status: Literal["received"]
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable: slot_full, validation_failed, ...")
    message: str = Field(description="For people")
    fields: dict[str, str] = Field(description="Message per field, keyed by dotted path (customer.email)")


class ErrorResponse(BaseModel):
    error: ErrorDetail


# --- web chat -------------------------------------------------------------------------

# A visitor's chat token: the only credential of a chat, from secrets.token_urlsafe.
ChatToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class ChatMessageRequest(OptionalContact):
    """A visitor's message from the site's chat widget."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    station: str = Field(max_length=60, description="Station slug")
    token: ChatToken | None = Field(
        default=None, description="The chat's token from an earlier answer; absent for a visitor's first message"
    )
    name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=255, description="So that the station can also answer by email")
    text: str = Field(min_length=1, max_length=2000)
    client_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="A unique id per message, made by the widget: a retried POST is stored once",
    )


class ChatMessageOut(BaseModel):
    id: int = Field(description="Pass the last one seen as `after` when polling")
    direction: Literal["in", "out"] = Field(description="in: from the visitor; out: the station's reply")
    text: str
    at: dt.datetime


class ChatPosted(BaseModel):
    token: str = Field(description="Keep it (e.g. in localStorage) and send it with every later message")
    message: ChatMessageOut
    poll_url: str = Field(description="GET it for the station's replies")


class ChatThread(BaseModel):
    messages: list[ChatMessageOut] = Field(description="Oldest first")
    poll_after_seconds: int = Field(description="How long to wait before polling again")
