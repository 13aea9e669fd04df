"""Reads for the leads pages: filters, the board's columns, the list, the lead page, tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.customers.contact import normalise_phone
from app.extensions import db
from app.ids import parse_id
from app.leads.services import SOURCES, STAGE_LABELS
from app.models.conversation import Conversation
from app.models.lead import LEAD_STAGES, TEMPERATURES, Lead, LeadEvent, Task
from app.models.user import Membership, Role, User
from app.tenancy import scoped

BOARD_COLUMN_LIMIT = 30  # cards per column; the list has the rest
TASK_VIEWS = {"mine": "Mine and unassigned", "overdue": "Overdue (everyone)", "all": "All open"}
SORTS = {
    "-created": (Lead.created_at.desc(), Lead.id.desc()),
    "-score": (Lead.score.desc(), Lead.id.desc()),
    "date": (Lead.event_date.asc().nulls_last(), Lead.id.asc()),
}


@dataclass(frozen=True)
class LeadFilters:
    stage: str = ""
    source: str = ""
    temperature: str = ""
    owner: str = ""  # "me", "none", a user id, "" for anyone
    q: str = ""
    overdue: bool = False
    sort: str = "-created"

    @classmethod
    def from_args(cls, args) -> LeadFilters:
        def pick(name: str, allowed) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        owner = (args.get("owner") or "").strip()
        return cls(
            stage=pick("stage", LEAD_STAGES),
            source=pick("source", SOURCES),
            temperature=pick("temperature", TEMPERATURES),
            owner=owner if owner in ("me", "none") or parse_id(owner) is not None else "",
            q=(args.get("q") or "").strip()[:100],
            overdue=args.get("overdue") in ("1", "on", "true"),
            sort=pick("sort", SORTS) or "-created",
        )


def overdue_task_exists(now: datetime):
    return exists().where(Task.lead_id == Lead.id, Task.done_at.is_(None), Task.due_at < now)


def _filtered(filters: LeadFilters, user_id: int, now: datetime) -> Select:
    stmt = scoped(Lead, Lead.merged_into_id.is_(None))
    if filters.stage:
        stmt = stmt.where(Lead.stage == filters.stage)
    if filters.source:
        stmt = stmt.where(Lead.source == filters.source)
    if filters.temperature:
        stmt = stmt.where(Lead.temperature == filters.temperature)
    if filters.owner == "me":
        stmt = stmt.where(Lead.owner_id == user_id)
    elif filters.owner == "none":
        stmt = stmt.where(Lead.owner_id.is_(None))
    elif filters.owner:
        stmt = stmt.where(Lead.owner_id == int(filters.owner))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        terms = [Lead.name.ilike(like), Lead.email.ilike(like), Lead.message.ilike(like)]
        try:
            phone = normalise_phone(filters.q)
        except ValueError:
            phone = None
        if phone:
            terms.append(Lead.phone == phone)
        stmt = stmt.where(or_(*terms))
    if filters.overdue:
        stmt = stmt.where(overdue_task_exists(now))
    return stmt


def lead_list(filters: LeadFilters, user_id: int, now: datetime) -> Select:
    return _filtered(filters, user_id, now).options(selectinload(Lead.owner)).order_by(*SORTS[filters.sort])


@dataclass
class Column:
    stage: str
    label: str
    leads: list[Lead]
    total: int


def board(filters: LeadFilters, user_id: int, now: datetime) -> list[Column]:
    """One column per stage (the stage filter does not apply): the best scores on top."""
    columns_filters = LeadFilters(**{**filters.__dict__, "stage": ""})
    base = _filtered(columns_filters, user_id, now)
    counts = _stage_counts(base)
    columns = []
    for stage in LEAD_STAGES:
        leads = db.session.scalars(
            base.where(Lead.stage == stage)
            .order_by(Lead.score.desc(), Lead.created_at.desc(), Lead.id.desc())
            .limit(BOARD_COLUMN_LIMIT)
        ).all()
        columns.append(Column(stage, STAGE_LABELS[stage], list(leads), counts.get(stage, 0)))
    return columns


def _stage_counts(base: Select) -> dict[str, int]:
    sub = base.subquery()
    return dict(db.session.execute(select(sub.c.stage, func.count()).group_by(sub.c.stage)).all())


def leads_with_overdue_tasks(lead_ids: list[int], now: datetime) -> set[int]:
    if not lead_ids:
        return set()
    return set(
        db.session.scalars(
            select(Task.lead_id).where(Task.lead_id.in_(lead_ids), Task.done_at.is_(None), Task.due_at < now)
        )
    )


def timeline(lead: Lead) -> list[LeadEvent]:
    return list(
        db.session.scalars(
            scoped(LeadEvent, LeadEvent.lead_id == lead.id, station_id=lead.station_id)
            .options(selectinload(LeadEvent.actor))
            .order_by(LeadEvent.created_at.desc(), LeadEvent.id.desc())
            .limit(200)
        )
    )


def tasks_of(lead: Lead) -> list[Task]:
    """Open tasks first (soonest due), then the done ones (latest first)."""
    return list(
        db.session.scalars(
            scoped(Task, Task.lead_id == lead.id, station_id=lead.station_id)
            .options(selectinload(Task.owner))
            .order_by(Task.done_at.is_not(None), Task.due_at.asc(), Task.id.asc())
        )
    )


def conversations_of(lead: Lead) -> list[Conversation]:
    return list(
        db.session.scalars(
            scoped(Conversation, Conversation.lead_id == lead.id, station_id=lead.station_id).order_by(
                Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc()
            )
        )
    )


def team(station_id: int) -> list[User]:
    """Who may own a lead or a task: the station's managers and staff."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.station_id == station_id,
                Membership.role.in_([Role.MANAGER.value, Role.STAFF.value]),
                User.is_active_flag.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def task_list(view: str, user_id: int, now: datetime) -> Select:
    """Open tasks, overdue first, then by due time; "mine" also shows unassigned ones."""
    stmt = scoped(Task, Task.done_at.is_(None)).options(selectinload(Task.lead), selectinload(Task.owner))
    if view == "mine":
        stmt = stmt.where(or_(Task.owner_id == user_id, Task.owner_id.is_(None)))
    elif view == "overdue":
        stmt = stmt.where(Task.due_at < now)
    return stmt.order_by(Task.due_at.asc(), Task.id.asc())
