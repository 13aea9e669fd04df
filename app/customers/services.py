"""Customers: match or create on booking, consent ledger, notes, merging duplicates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update

from app import audit
from app.customers.contact import normalise_email, normalise_phone
from app.errors import ValidationFailed
from app.extensions import db
from app.models.booking import Booking
from app.models.customer import ConsentRecord, Customer
from app.models.lead import Lead


def same_person(model, email: str | None, phone: str | None) -> list:
    """WHERE terms matching a row of `model` (customer, lead) by normalised email or phone; [] when neither."""
    terms = []
    if email:
        terms.append(model.email == email)
    if phone:
        terms.append(model.phone == phone)
    return terms


def _same_name(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def _no_real_name(name: str | None) -> bool:
    """A record named after its phone number (a first text message creates one) has no name yet."""
    return not any(ch.isalpha() for ch in name or "")


def _may_be(candidate: Customer, name: str | None) -> bool:
    """Could this email-less customer on the same phone be the person called `name`?"""
    return _no_real_name(candidate.name) or bool(name and _same_name(candidate.name, name))


@dataclass(frozen=True)
class Match:
    """Whom a contact belongs to: `customer` (None: nobody yet), or only a `phone_of` look-alike."""

    customer: Customer | None = None
    phone_of: Customer | None = None  # shares the phone but is someone else (another email or name)


def match(station_id: int, email: str | None, phone: str | None, name: str | None = None) -> Match:
    """Who this contact is, among the station's customers (merged ones skipped).

    The email is the identity when given: its customer, whatever phone they now use. A
    phone alone proves less (households and offices share one): it names the customer
    only when no email was given, or when that customer has no email yet and the same
    name (or none yet: named after the number). Otherwise the phone's owner comes back
    as `phone_of`, someone to compare with. Without an email and with several customers
    on one phone, the one of the same name wins.
    """
    conditions = same_person(Customer, email, phone)
    if not conditions:
        return Match()
    candidates = db.session.scalars(
        select(Customer)
        .where(Customer.station_id == station_id, Customer.merged_into_id.is_(None), or_(*conditions))
        .order_by(Customer.id)
    ).all()
    if email:
        by_email = next((c for c in candidates if c.email == email), None)
        if by_email is not None:
            return Match(customer=by_email)
    on_phone = [c for c in candidates if phone and c.phone == phone]
    if not on_phone:
        return Match()
    if not email:
        named = [c for c in on_phone if name and _same_name(c.name, name)]
        return Match(customer=(named or on_phone)[0])
    for candidate in on_phone:
        if candidate.email is None and _may_be(candidate, name):
            return Match(customer=candidate)
    return Match(phone_of=on_phone[0])


def find_match(station_id: int, email: str | None, phone: str | None) -> Customer | None:
    """The station's customer this email and/or phone identifies (see `match`), or None."""
    return match(station_id, email, phone).customer


def match_or_create(station_id: int, *, name: str, email: str | None, phone: str | None) -> Customer:
    """The customer this contact identifies (filling in what they lack), else a new one.

    A new customer who shares a phone with someone else (under another email or name) is
    flagged `possible_duplicate_of` them, for staff to merge or dismiss: filing a booking
    under another person's record would send its messages to that person.
    """
    email, phone = _normalised(normalise_email, email), _normalised(normalise_phone, phone)
    found = match(station_id, email, phone, name)
    customer = found.customer
    if customer is None:
        customer = Customer(
            station_id=station_id,
            name=name,
            email=email,
            phone=phone,
            notes="",
            possible_duplicate_of_id=found.phone_of.id if found.phone_of else None,
        )
        db.session.add(customer)
        db.session.flush()
        return customer
    if email and not customer.email:
        customer.email = email
    if phone and not customer.phone:
        customer.phone = phone
    if name and _no_real_name(customer.name) and not _no_real_name(name):
        customer.name = name
    return customer


def _normalised(normalise, value: str | None) -> str | None:
    """The form matching compares (lower-case email, E.164 phone); as given when it cannot be read."""
    try:
        return normalise(value)
    except ValueError:
        return (value or "").strip() or None


def dismiss_possible_duplicate(customer: Customer) -> None:
    """Staff checked: not the same person as the customer it shares a phone with."""
    if customer.possible_duplicate_of_id is None:
        return
    audit.record(
        "customer.duplicate_dismissed",
        customer,
        before={"possible_duplicate_of_id": customer.possible_duplicate_of_id},
        after={"possible_duplicate_of_id": None},
    )
    customer.possible_duplicate_of_id = None


def record_consent(
    customer: Customer,
    *,
    channel: str,
    granted: bool,
    text: str,
    source: str,
    ip_address: str | None,
    purpose: str = "marketing",
) -> ConsentRecord:
    """Add a ledger row and update the customer's current consent for the channel."""
    if channel not in ("email", "sms"):
        raise ValueError(channel)
    record = ConsentRecord(
        station_id=customer.station_id,
        customer_id=customer.id,
        channel=channel,
        purpose=purpose,
        granted=granted,
        text=text,
        source=source,
        ip_address=ip_address,
    )
    db.session.add(record)
    # The flag is marketing consent: a transactional grant (an SMS START lifting a STOP)
    # is no opt-in to newsletters, while any withdrawal (STOP) ends marketing too.
    if purpose == "marketing" or not granted:
        setattr(customer, f"{channel}_consent", granted)
    return record


NOTES_MAX = 10_000


def update_notes(customer: Customer, notes: str) -> bool:
    """Replace the staff notes; returns whether they changed (only changes are audited)."""
    notes = (notes or "").replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX:
        raise ValidationFailed(f"Notes are limited to {NOTES_MAX:,} characters.", fields={"notes": "Too long."})
    before = customer.notes
    customer.notes = notes
    if before == customer.notes:
        return False
    db.session.flush()
    audit.record("customer.notes_changed", customer, before={"notes": before}, after={"notes": customer.notes})
    return True


def merge(keep: Customer, duplicate: Customer) -> dict[str, int]:
    """Move the duplicate's bookings, leads and consents to `keep`; mark it merged.

    Returns how many rows moved per table.
    """
    if keep.id == duplicate.id:
        raise ValidationFailed("Choose two different customers.")
    if keep.station_id != duplicate.station_id:
        raise ValidationFailed("Customers of different stations cannot be merged.")
    if duplicate.merged_into_id is not None:
        raise ValidationFailed("That customer was already merged.")
    if keep.merged_into_id is not None:
        raise ValidationFailed("This customer was merged into another: merge into that one instead.")
    moved = {}
    for model in (Booking, Lead, ConsentRecord):
        result = db.session.execute(
            update(model)
            .where(model.customer_id == duplicate.id, model.station_id == keep.station_id)
            .values(customer_id=keep.id)
            .execution_options(synchronize_session="fetch")
        )
        moved[model.__tablename__] = result.rowcount
    keep.email = keep.email or duplicate.email
    keep.phone = keep.phone or duplicate.phone
    if duplicate.notes:
        keep.notes = (keep.notes + "\n" + duplicate.notes).strip()
    for channel in ("email", "sms"):
        # The newest ledger row of either customer decides: a STOP sent to the duplicate
        # must not be overridden by an older opt-in of the customer we keep.
        latest = db.session.scalar(
            select(ConsentRecord.granted)
            .where(
                ConsentRecord.customer_id == keep.id,
                ConsentRecord.channel == channel,
                ConsentRecord.purpose == "marketing",
            )
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
            .limit(1)
        )
        if latest is None:
            latest = getattr(keep, f"{channel}_consent") or getattr(duplicate, f"{channel}_consent")
        setattr(keep, f"{channel}_consent", latest)
    # Customers merged into the duplicate earlier now point at the one we keep.
    db.session.execute(
        update(Customer)
        .where(Customer.merged_into_id == duplicate.id, Customer.station_id == keep.station_id)
        .values(merged_into_id=keep.id)
        .execution_options(synchronize_session="fetch")
    )
    duplicate.merged_into_id = keep.id
    # Whichever of the pair was flagged, the question is answered; others flagged as
    # duplicates of the merged one now point at the one kept.
    keep.possible_duplicate_of_id = None
    duplicate.possible_duplicate_of_id = None
    db.session.flush()
    db.session.execute(
        update(Customer)
        .where(
            Customer.possible_duplicate_of_id == duplicate.id,
            Customer.station_id == keep.station_id,
            Customer.id != keep.id,
        )
        .values(possible_duplicate_of_id=keep.id)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    audit.record("customer.merged", keep, before={"duplicate_id": duplicate.id}, after=moved)
    return moved


def likely_duplicates(customer: Customer) -> list[Customer]:
    """Other customers of the station sharing this one's email or phone, or its name."""
    # Same name ignoring case (equality: a name is not a LIKE pattern).
    conditions = [
        func.lower(Customer.name) == customer.name.strip().lower(),
        *same_person(Customer, customer.email, customer.phone),
    ]
    return list(
        db.session.scalars(
            select(Customer)
            .where(
                Customer.station_id == customer.station_id,
                Customer.id != customer.id,
                Customer.merged_into_id.is_(None),
                or_(*conditions),
            )
            .order_by(Customer.name, Customer.id)
        )
    )
