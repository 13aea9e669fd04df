"""Duplicate leads: finding them (same normalised email or phone) and merging two into one.

The kept lead absorbs the duplicate's timeline, tasks, conversations and touches; the
duplicate stays (for its links and the audit trail), closed as lost "duplicate" with
`merged_into_id` pointing at the kept lead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from app import audit
from app.customers.services import same_person
from app.errors import ValidationFailed
from app.extensions import db
from app.leads.services import MAX_MESSAGE_CHARS, event, rescore
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.conversation import Conversation
from app.models.lead import Lead, LeadEvent, Task
from app.models.user import User

DUPLICATE_REASON = "duplicate"


def likely_duplicates(lead: Lead, limit: int = 10) -> list[Lead]:
    """Other unmerged leads of the station with the same email or phone."""
    terms = same_person(Lead, lead.email, lead.phone)
    if not terms or lead.merged_into_id is not None:
        return []
    return list(
        db.session.scalars(
            select(Lead)
            .where(
                Lead.station_id == lead.station_id,
                Lead.id != lead.id,
                Lead.merged_into_id.is_(None),
                or_(*terms),
            )
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(limit)
        )
    )


def _touch_time(touch: dict | None) -> str:
    return str((touch or {}).get("at") or "")


def _move_rows(keep: Lead, duplicate: Lead) -> dict[str, int]:
    moved: dict[str, int] = {}
    for model, column in ((LeadEvent, LeadEvent.lead_id), (Task, Task.lead_id), (Conversation, Conversation.lead_id)):
        result = db.session.execute(
            update(model)
            .where(column == duplicate.id, model.station_id == keep.station_id)
            .values(lead_id=keep.id)
            .execution_options(synchronize_session="fetch")
        )
        moved[model.__tablename__] = result.rowcount
    db.session.execute(
        update(Booking)
        .where(Booking.lead_id == duplicate.id, Booking.station_id == keep.station_id)
        .values(lead_id=keep.id)
        .execution_options(synchronize_session="fetch")
    )
    # Leads merged into the duplicate earlier now point at the one we keep.
    db.session.execute(
        update(Lead)
        .where(Lead.merged_into_id == duplicate.id, Lead.station_id == keep.station_id)
        .values(merged_into_id=keep.id)
        .execution_options(synchronize_session="fetch")
    )
    return moved


def _absorb_fields(keep: Lead, duplicate: Lead) -> None:
    for name in (
        "email",
        "phone",
        "event_date",
        "guests",
        "zip_code",
        "customer_id",
        "qr_code_id",
        "owner_id",
        "quote",
    ):
        if getattr(keep, name) in (None, "", {}) and getattr(duplicate, name) not in (None, "", {}):
            setattr(keep, name, getattr(duplicate, name))
    # The first touch is whichever came first; the last touch whichever came last.
    if duplicate.first_touch and (
        not keep.first_touch or _touch_time(duplicate.first_touch) < _touch_time(keep.first_touch)
    ):
        keep.first_touch = duplicate.first_touch
    if _touch_time(duplicate.last_touch) > _touch_time(keep.last_touch):
        keep.last_touch = duplicate.last_touch
    if duplicate.message and duplicate.message not in keep.message:
        combined = f"{keep.message}\n\n---\n{duplicate.message}" if keep.message else duplicate.message
        keep.message = combined[-MAX_MESSAGE_CHARS:]
    responses = [at for at in (keep.first_response_at, duplicate.first_response_at) if at is not None]
    keep.first_response_at = min(responses) if responses else None


def merge(keep: Lead, duplicate: Lead, user: User | None, *, now: datetime | None = None) -> dict[str, int]:
    """Merge `duplicate` into `keep`; returns how many rows moved per table."""
    now = now or utcnow()
    if keep.id == duplicate.id:
        raise ValidationFailed("Choose two different leads.")
    if keep.station_id != duplicate.station_id:
        raise ValidationFailed("Leads of different stations cannot be merged.")
    if duplicate.merged_into_id is not None:
        raise ValidationFailed("That lead was already merged.")
    if keep.merged_into_id is not None:
        raise ValidationFailed("This lead was merged into another: merge into that one instead.")
    if duplicate.booking_id is not None and keep.booking_id is not None:
        raise ValidationFailed("Both leads have a booking: they are two parties, not duplicates.")
    if duplicate.booking_id is not None:
        raise ValidationFailed("That lead has a booking: keep it and merge this one into it instead.")
    # The duplicate's automatic first-response task is moot: the kept lead has its own.
    db.session.execute(
        update(Task)
        .where(Task.lead_id == duplicate.id, Task.kind == "first_response", Task.done_at.is_(None))
        .values(done_at=now, done_by_id=user.id if user else None)
        .execution_options(synchronize_session="fetch")
    )
    moved = _move_rows(keep, duplicate)
    _absorb_fields(keep, duplicate)
    before_stage = duplicate.stage
    duplicate.merged_into_id = keep.id
    duplicate.stage = "lost"
    duplicate.lost_reason = DUPLICATE_REASON
    duplicate.stage_changed_at = now
    db.session.flush()
    event(
        keep,
        "merged",
        body=f"Merged {duplicate.name} (lead #{duplicate.id}) into this lead",
        data={"duplicate_id": duplicate.id, "moved": moved},
        actor=user,
        now=now,
    )
    event(
        duplicate,
        "merged",
        body=f"Merged into lead #{keep.id}",
        data={"merged_into_id": keep.id, "stage_before": before_stage},
        actor=user,
        now=now,
    )
    rescore(keep, now=now)
    rescore(duplicate, now=now)
    db.session.flush()
    audit.record("lead.merged", keep, before={"duplicate_id": duplicate.id}, after=moved)
    return moved
