"""Customers: match or create on booking, consent ledger, notes, merging duplicates."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update

from app import audit
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


def find_match(station_id: int, email: str | None, phone: str | None) -> Customer | None:
    """The station's customer with this email, else this phone (merged ones skipped)."""
    conditions = same_person(Customer, email, phone)
    if not conditions:
        return None
    candidates = db.session.scalars(
        select(Customer)
        .where(Customer.station_id == station_id, Customer.merged_into_id.is_(None), or_(*conditions))
        .order_by(Customer.id)
    ).all()
    # An email match beats a phone match (phones are shared in households).
    for customer in candidates:
        if email and customer.email == email:
            return customer
    return candidates[0] if candidates else None


def match_or_create(station_id: int, *, name: str, email: str | None, phone: str | None) -> Customer:
    """Match by normalised email or phone; fill in what the match lacks; else create."""
    customer = find_match(station_id, email, phone)
    if customer is None:
        customer = Customer(station_id=station_id, name=name, email=email, phone=phone, notes="")
        db.session.add(customer)
        db.session.flush()
        return customer
    if email and not customer.email:
        customer.email = email
    if phone and not customer.phone:
        customer.phone = phone
    return customer


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
