"""Follow-up tasks: the automatic first-response task of a new lead, staff tasks, completion.

Services flush, never commit. The automatic task carries `auto_key`
("lead:<id>:first_response", unique), so a retried capture never adds a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import audit
from app.errors import ValidationFailed
from app.extensions import db
from app.models.base import utcnow
from app.models.lead import Lead, Task
from app.models.station import Station
from app.models.user import Membership, Role, User
from app.tenancy import members

MAX_TITLE_CHARS = 200


def first_response_key(lead: Lead) -> str:
    return f"lead:{lead.id}:first_response"


def default_owner_id(station_id: int) -> int | None:
    """Who answers new leads when nobody was named: the station's first manager, else nobody."""
    managers = members(station_id, Role.MANAGER)
    return managers[0].id if managers else None


def open_first_response_task(station: Station, lead: Lead, *, now: datetime) -> Task:
    """The lead's automatic "answer this person" task, due within the station's SLA."""
    key = first_response_key(lead)
    existing = db.session.scalar(select(Task).where(Task.auto_key == key))
    if existing is not None:
        return existing
    task = Task(
        station_id=lead.station_id,
        title=f"First response to {lead.name}"[:MAX_TITLE_CHARS],
        kind="first_response",
        due_at=now + timedelta(minutes=station.settings.first_response_sla_minutes),
        owner_id=lead.owner_id or default_owner_id(lead.station_id),
        lead_id=lead.id,
        auto_key=key,
        created_at=now,
    )
    db.session.add(task)
    db.session.flush()
    return task


def is_station_member(station_id: int, user_id: int) -> bool:
    """A user who may own work here: a team member of the station, or an owner."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active_flag:
        return False
    if user.is_owner:
        return True
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user_id,
                Membership.station_id == station_id,
                Membership.role.in_([Role.MANAGER.value, Role.STAFF.value]),
            )
        )
        is not None
    )


def add_task(
    station_id: int,
    *,
    title: str,
    due_at: datetime | None,
    owner_id: int | None,
    actor: User | None,
    lead: Lead | None = None,
    now: datetime | None = None,
) -> Task:
    """A follow-up task, on a lead or on its own."""
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Say what needs doing."
    elif len(title) > MAX_TITLE_CHARS:
        errors["title"] = f"At most {MAX_TITLE_CHARS} characters."
    if due_at is None:
        errors["due_at"] = "Give a due date and time."
    if owner_id is not None and not is_station_member(station_id, owner_id):
        errors["owner_id"] = "Choose someone of this station's team."
    if errors:
        raise ValidationFailed("The task needs a correction: " + " ".join(errors.values()), fields=errors)
    task = Task(
        station_id=station_id,
        title=title,
        kind="follow_up",
        due_at=due_at,
        owner_id=owner_id,
        lead_id=lead.id if lead else None,
        created_at=now or utcnow(),
    )
    db.session.add(task)
    db.session.flush()
    audit.record("task.created", task, actor_id=actor.id if actor else None, after={"title": title})
    return task


def complete_task(task: Task, user: User | None, *, now: datetime | None = None) -> None:
    """Mark done; completing a first-response task by hand counts as the lead's first response."""
    if task.done_at is not None:
        raise ValidationFailed("That task is already done.")
    now = now or utcnow()
    task.done_at = now
    task.done_by_id = user.id if user else None
    if task.kind == "first_response" and task.lead_id is not None:
        lead = db.session.get(Lead, task.lead_id)
        if lead is not None and lead.first_response_at is None:
            lead.first_response_at = now
    db.session.flush()
    audit.record("task.completed", task, actor_id=user.id if user else None)


def close_first_response(lead: Lead, user: User | None, *, now: datetime) -> None:
    """The lead got its first answer: note when, and close the automatic task."""
    if lead.first_response_at is None:
        lead.first_response_at = now
    task = db.session.scalar(select(Task).where(Task.auto_key == first_response_key(lead), Task.done_at.is_(None)))
    if task is not None:
        task.done_at = now
        task.done_by_id = user.id if user else None
    db.session.flush()
