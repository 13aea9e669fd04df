"""Read side of the payments pages: the station's ledger (payments and refunds), totals,
balances due, and what the booking page's Payments card shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, select, union_all

from app.extensions import db
from app.integrations import stripe_enabled
from app.models.base import utcnow
from app.models.booking import HOLDS_SLOT, Booking, BookingStatus
from app.models.payment import CARD_METHOD, Payment, Refund, RefundStatus
from app.models.station import Station
from app.models.user import User
from app.payments.checkout import pay_url, payable
from app.payments.forms import LedgerFilters
from app.payments.services import refund_limits, refund_methods
from app.web.params import page_arg

PER_PAGE = 50


@dataclass
class LedgerRow:
    entry: str  # payment | refund
    id: int
    booking_id: int
    kind: str
    method: str
    amount_cents: int
    currency: str
    status: str
    created_at: datetime
    note: str
    booking: Booking | None = None
    recorded_by: User | None = None

    @property
    def signed_cents(self) -> int:
        return -self.amount_cents if self.entry == "refund" else self.amount_cents


@dataclass
class LedgerPage:
    """Quacks like flask-sqlalchemy's Pagination for components/_pagination.html."""

    items: list[LedgerRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class LedgerTotals:
    received_cents: int
    refunded_cents: int
    refunds_pending_cents: int
    count: int
    balance_due_cents: int
    awaiting_deposit: int

    @property
    def net_cents(self) -> int:
        return self.received_cents - self.refunded_cents


def _bounds(station: Station, filters: LedgerFilters) -> tuple[datetime | None, datetime | None]:
    """Station-local dates as UTC instants: [from 00:00, the day after `to` 00:00)."""
    zone = ZoneInfo(station.timezone)
    start = end = None
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(0), zone)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(0), zone)
    return start, end


def _ledger(station: Station, filters: LedgerFilters):
    start, end = _bounds(station, filters)
    payments = select(
        literal("payment").label("entry"),
        Payment.id,
        Payment.booking_id,
        Payment.kind,
        Payment.method,
        Payment.amount_cents,
        Payment.currency,
        Payment.status,
        Payment.created_at,
        Payment.note,
        Payment.recorded_by_id,
    ).where(Payment.station_id == station.id)
    refunds = select(
        literal("refund").label("entry"),
        Refund.id,
        Refund.booking_id,
        literal("refund").label("kind"),
        Refund.method,
        Refund.amount_cents,
        Refund.currency,
        Refund.status,
        Refund.created_at,
        Refund.reason.label("note"),
        Refund.recorded_by_id,
    ).where(Refund.station_id == station.id)
    conditions_p, conditions_r = [], []
    if start:
        conditions_p.append(Payment.created_at >= start)
        conditions_r.append(Refund.created_at >= start)
    if end:
        conditions_p.append(Payment.created_at < end)
        conditions_r.append(Refund.created_at < end)
    if filters.method:
        conditions_p.append(Payment.method == filters.method)
        conditions_r.append(Refund.method == filters.method)
    parts = []
    if filters.entry != "refunds":
        parts.append(payments.where(*conditions_p))
    if filters.entry != "payments":
        parts.append(refunds.where(*conditions_r))
    return union_all(*parts).subquery("ledger")


def ledger_page(station: Station, filters: LedgerFilters) -> tuple[LedgerPage, LedgerTotals]:
    """One page of the ledger (newest first) and the totals of everything it matches."""
    ledger = _ledger(station, filters)
    page = page_arg()
    succeeded = ledger.c.status == "succeeded"
    in_flight = ledger.c.status.in_((RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION))

    def total(condition):
        return func.coalesce(func.sum(case((condition, ledger.c.amount_cents), else_=0)), 0)

    sums = db.session.execute(
        select(
            func.count(),
            total(succeeded & (ledger.c.entry == "payment")),
            total(succeeded & (ledger.c.entry == "refund")),
            total(in_flight & (ledger.c.entry == "refund")),
        )
    ).one()
    rows = db.session.execute(
        select(ledger)
        .order_by(ledger.c.created_at.desc(), ledger.c.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    items = [LedgerRow(**{k: v for k, v in row._mapping.items() if k != "recorded_by_id"}) for row in rows]
    _attach(items, [row.recorded_by_id for row in rows])
    balance_due, awaiting = balances(station.id)
    totals = LedgerTotals(sums[1], sums[2], sums[3], sums[0], balance_due, awaiting)
    return LedgerPage(items, page, PER_PAGE, sums[0]), totals


def _attach(items: list[LedgerRow], user_ids: list[Any]) -> None:
    """Bookings (with customers) and users of a page in two queries, not one per row."""
    booking_ids = {item.booking_id for item in items}
    bookings = {b.id: b for b in db.session.scalars(select(Booking).where(Booking.id.in_(booking_ids)))}
    wanted = {uid for uid in user_ids if uid is not None}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    for item, user_id in zip(items, user_ids, strict=True):
        item.booking = bookings.get(item.booking_id)
        item.recorded_by = users.get(user_id)


def balances(station_id: int) -> tuple[int, int]:
    """Balance still due over the bookings that hold a slot, and how many await a deposit."""
    owed = Booking.total_cents - (Booking.paid_cents - Booking.refunded_cents)
    total, awaiting = db.session.execute(
        select(
            func.coalesce(func.sum(case((owed > 0, owed), else_=0)), 0),
            func.count().filter(Booking.status == BookingStatus.PENDING_DEPOSIT.value),
        ).where(Booking.station_id == station_id, Booking.status.in_([s.value for s in HOLDS_SLOT]))
    ).one()
    return int(total), int(awaiting)


def booking_card(booking: Booking, payments: Sequence[Payment]) -> dict[str, Any]:
    """What the booking page's Payments card needs besides `payments` (all of the booking's)."""
    refunds = db.session.scalars(
        select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.created_at.desc(), Refund.id.desc())
    ).all()
    limits = refund_limits(booking, payments=payments, refunds=refunds)
    enabled = stripe_enabled()
    return {
        "stripe_enabled": enabled,
        "refunds": refunds,
        "refund_limits": limits,
        "refund_methods": refund_methods(limits),
        "card_method": CARD_METHOD,
        "pay_link": pay_url(booking.public_token) if enabled and payable(booking, utcnow()) else None,
    }
