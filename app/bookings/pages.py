"""The booking page's panel: what it shows, and the one answer to every action on it.

Areas built on bookings add their own card to the panel with `panel_card` (payments:
the Payments card), so the booking page shows them without bookings importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, render_template, url_for
from flask_login import current_user

from app.availability.services import chefs_free_for
from app.bookings import lifecycle
from app.bookings.forms import form_errors
from app.bookings.timeline import Actor
from app.errors import DomainError
from app.models.base import utcnow
from app.models.booking import Booking
from app.permissions import can
from app.tenancy import get_scoped_or_404
from app.web.htmx import finish_mutation

PanelCard = Callable[[Booking], dict[str, Any]]
_cards: list[PanelCard] = []


def panel_card(context: PanelCard) -> PanelCard:
    """Register the template context of a card on the booking page (at import time)."""
    _cards.append(context)
    return context


def panel_context(booking: Booking) -> dict[str, Any]:
    free_chefs = []
    if booking.holds_slot and can("bookings.edit"):
        free_chefs = chefs_free_for(g.station, booking.event_date, booking.slot_time)
        if booking.chef and booking.chef not in free_chefs:
            free_chefs = [booking.chef, *free_chefs]
    now = utcnow()
    context: dict[str, Any] = {
        "booking": booking,
        "free_chefs": free_chefs,
        "labels": lifecycle.LABELS,
        "can_move": {to: lifecycle.can_transition(booking, to) for to in lifecycle.LABELS},
        "started": now >= booking.starts_at,
        "refundable_now": lifecycle.refund_eligible(g.station, booking, now),
        "reschedule_remark": lifecycle.reschedule_policy(g.station, booking, now),
        "error": None,
        "errors": {},
    }
    for card in _cards:
        context.update(card(booking))
    return context


def answer(booking: Booking, outcome: str | DomainError, *, level: str = "success"):
    """The refreshed panel and a toast (HTMX), or a flash and 303 to the booking page."""

    def panel(error: DomainError | None) -> str:
        context = panel_context(booking)
        if error is not None:
            context.update(error=error.message, errors=form_errors(error))
        return render_template("bookings/_panel.html", **context)

    back = url_for("bookings.show", booking_id=booking.id)
    return finish_mutation(outcome, back=back, fragment=panel, level=level)


def act(booking_id: int, change: Callable[[Booking, Actor], Any], message: str, *, level: str = "success"):
    """Run `change(booking, actor)` on a booking of this station and answer with the panel."""
    booking = get_scoped_or_404(Booking, booking_id)
    try:
        change(booking, Actor.user(current_user))
    except DomainError as error:
        return answer(booking, error)
    return answer(booking, message, level=level)
