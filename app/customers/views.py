"""Customer pages: the searchable list, the customer page (bookings, consent, notes,
conversations, duplicates) and merging (see app/customers/__init__.py)."""

from __future__ import annotations

from flask import current_app, g, render_template, request, url_for
from werkzeug.routing import BuildError

from app.customers import bp, queries, services
from app.customers.contact import display_phone
from app.customers.forms import MergeForm, NotesForm
from app.errors import DomainError, ValidationFailed
from app.models.booking import Booking
from app.models.customer import Customer
from app.permissions import require
from app.tenancy import get_scoped_or_404
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render
from app.web.layout import can_link
from app.web.pagination import page_url_builder, paginate

BOOKING_PAGE = "bookings.show"


def booking_url(booking: Booking) -> str | None:
    """The booking page, when that page exists and the user may open it."""
    if BOOKING_PAGE not in current_app.view_functions or not can_link(BOOKING_PAGE):
        return None
    try:
        return url_for(BOOKING_PAGE, booking_id=booking.id)
    except BuildError:
        return None


@bp.get("/")
@require("customers.view")
def index():
    """Customers of this station, searchable by name, email or phone."""
    q = (request.args.get("q") or "").strip()[:120]
    page = paginate(queries.search(g.station_id, q))
    numbers = queries.booking_numbers(g.station_id, [c.id for c in page.items])
    return render(
        "customers/index.html",
        "customers/_list.html",
        page=page,
        q=q,
        numbers=numbers,
        empty=queries.BookingNumbers(),
        display_phone=display_phone,
        page_url=page_url_builder("customers.index"),
        page_target="#customer-list",
    )


@bp.get("/<int:customer_id>")
@require("customers.view")
def detail(customer_id: int):
    """One customer: contact, bookings, consent, notes, conversations, likely duplicates."""
    customer = get_scoped_or_404(Customer, customer_id)
    merged_into = queries.merged_into(customer)
    return render_template(
        "customers/detail.html",
        customer=customer,
        merged_into=merged_into,
        bookings=queries.bookings_of(customer),
        ledger=queries.consent_ledger(customer),
        conversations=queries.conversations_of(customer),
        duplicates=[] if merged_into else services.likely_duplicates(customer),
        possible_duplicate_of=queries.possible_duplicate_of(customer),
        display_phone=display_phone,
        booking_url=booking_url,
    )


@bp.post("/<int:customer_id>/notes")
@require("customers.edit")
def update_notes(customer_id: int):
    """Save the staff notes about a customer."""
    customer = get_scoped_or_404(Customer, customer_id)
    form = read_form(NotesForm)  # any text reads; the service says what is too long

    def notes_box(error: DomainError | None) -> str:
        typed = {"notes": form.notes, "error": error.message} if error else {}
        return render_template("customers/_notes.html", customer=customer, **typed)

    back = url_for("customers.detail", customer_id=customer.id)
    try:
        changed = services.update_notes(customer, form.notes)
    except DomainError as error:
        return finish_mutation(error, back=back, fragment=notes_box)
    return finish_mutation("Notes saved." if changed else "Notes unchanged.", back=back, fragment=notes_box)


@bp.post("/<int:customer_id>/merge")
@require("customers.merge")
def merge(customer_id: int):
    """Merge a duplicate into this customer (this one is kept)."""
    keep = get_scoped_or_404(Customer, customer_id)
    back = url_for("customers.detail", customer_id=keep.id)
    try:
        duplicate_id = read_form(MergeForm).duplicate_id
        if duplicate_id is None:
            raise ValidationFailed("Choose the duplicate to merge into this customer.")
        duplicate = get_scoped_or_404(Customer, duplicate_id)
        moved = services.merge(keep, duplicate)
    except DomainError as error:
        return finish_mutation(error, back=back)
    bookings = moved.get("bookings", 0)
    message = f"{duplicate.name} merged into {keep.name}: {bookings} booking{'s' if bookings != 1 else ''} moved."
    return finish_mutation(message, back=back)


@bp.post("/<int:customer_id>/not-a-duplicate")
@require("customers.merge")
def dismiss_duplicate(customer_id: int):
    """Staff checked: this customer is not the one they share a phone with."""
    customer = get_scoped_or_404(Customer, customer_id)
    services.dismiss_possible_duplicate(customer)
    return finish_mutation(
        f"{customer.name} is kept as a customer of their own.",
        back=url_for("customers.detail", customer_id=customer.id),
    )
