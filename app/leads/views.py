"""Leads pages: the pipeline board, the filtered list, the lead page and its actions, tasks.

Actions answer HTMX with the refreshed fragment of the page they came from (the
hidden `back` field names it: board, tasks, or the lead page) plus a toast; plain
form posts get a flash and a 303 back to that page (app.web.htmx.finish_mutation).
"""

from __future__ import annotations

from functools import partial

from flask import g, render_template, request, url_for
from flask_login import current_user

from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.leads import bp, conversion, forms, merging, queries, services, tasks
from app.models.base import utcnow
from app.models.lead import TEMPERATURES, Lead, Task
from app.models.user import User
from app.permissions import require
from app.tenancy import get_scoped_or_404
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render
from app.web.pagination import page_url_builder, paginate

BACK_PAGES = ("board", "tasks", "lead")


def _common() -> dict:
    return {
        "stages": services.STAGE_LABELS,
        "sources": services.SOURCES,
        "temperatures": TEMPERATURES,
        "team": queries.team(g.station_id),
        "now": utcnow(),
    }


def _board_context(args) -> dict:
    filters = queries.LeadFilters.from_args(args)
    now = utcnow()
    columns = queries.board(filters, current_user.id, now)
    leads = [lead for column in columns for lead in column.leads]
    today = services.station_today(g.station, now)
    return {
        **_common(),
        "filters": filters,
        "columns": columns,
        "overdue_ids": queries.leads_with_overdue_tasks([lead.id for lead in leads], now),
        # "Won" on the board is "Convert to booking": the booking form, pre-filled from the lead.
        "convert_args": {lead.id: conversion.booking_prefill(lead, today) for lead in leads},
    }


def _tasks_context(args) -> dict:
    view = args.get("view") if args.get("view") in queries.TASK_VIEWS else "mine"
    now = utcnow()
    return {
        "view": view,
        "views": queries.TASK_VIEWS,
        "tasks": db.session.scalars(queries.task_list(view, current_user.id, now).limit(200)).all(),
        "now": now,
    }


def _lead_context(lead: Lead) -> dict:
    station = g.station
    today = services.station_today(station, utcnow())
    return {
        **_common(),
        "lead": lead,
        "events": queries.timeline(lead),
        "tasks": queries.tasks_of(lead),
        "conversations": queries.conversations_of(lead),
        "duplicates": merging.likely_duplicates(lead),
        "merged_into": db.session.get(Lead, lead.merged_into_id) if lead.merged_into_id else None,
        "convert_args": conversion.booking_prefill(lead, today),
    }


# --- pages -----------------------------------------------------------------------------


@bp.get("/")
@require("leads.view")
def index():
    """The pipeline board: a column per stage, hottest first; move cards with a small form."""
    return render("leads/board.html", "leads/_board.html", **_board_context(request.args))


@bp.get("/list")
@require("leads.view")
def lead_list():
    """Every lead, filtered by stage, source, temperature, owner, search and overdue tasks."""
    filters = queries.LeadFilters.from_args(request.args)
    now = utcnow()
    page = paginate(queries.lead_list(filters, current_user.id, now), per_page=25)
    return render(
        "leads/list.html",
        "leads/_list.html",
        page=page,
        filters=filters,
        overdue_ids=queries.leads_with_overdue_tasks([lead.id for lead in page.items], now),
        page_url=page_url_builder("leads.lead_list"),
        page_target="#lead-results",
        sorts={"-created": "Newest first", "-score": "Highest score", "date": "Event date"},
        **_common(),
    )


@bp.get("/<int:lead_id>")
@require("leads.view")
def show(lead_id: int):
    """One lead: details, score and reasons, timeline, conversations, tasks, quotes, actions."""
    lead = get_scoped_or_404(Lead, lead_id)
    return render("leads/show.html", "leads/_panel.html", **_lead_context(lead))


@bp.get("/tasks")
@require("leads.view")
def task_list():
    """Open follow-up tasks, overdue first; complete them in place."""
    return render("leads/tasks.html", "leads/_tasks.html", **_tasks_context(request.args))


def _new_lead_page(values, error: DomainError | None = None) -> str:
    errors = (error.fields or {"name": error.message}) if error else {}
    return render_template("leads/new.html", values=values, errors=errors)


@bp.route("/new", methods=["GET", "POST"])
@require("leads.edit")
def new():
    """Enter a lead taken on the phone or met at an event."""
    if request.method == "GET":
        return _new_lead_page({})
    try:
        data = read_form(forms.NewLeadForm)
        captured = services.capture(
            g.station,
            source="staff",
            name=data.name,
            email=data.email,
            phone=data.phone,
            message=data.message,
            event_date=data.event_date,
            guests=data.guests,
            zip_code=data.zip_code,
            attribution=data.attribution,
            actor=current_user,
            owner_id=current_user.id,
        )
    except DomainError as error:
        return finish_mutation(error, back=url_for("leads.new"), page=partial(_new_lead_page, request.form))
    lead = captured.lead
    back = url_for("leads.show", lead_id=lead.id)
    if captured.created:
        return finish_mutation(f"Lead {lead.name} created.", back=back)
    return finish_mutation(f"{lead.name} already had an open lead: it was updated instead.", back=back, level="info")


# --- actions ---------------------------------------------------------------------------


def _back() -> str:
    back = read_form(forms.ReturnTo).back
    return back if back in BACK_PAGES else "lead"


def _fragment(back: str, lead: Lead | None):
    def fragment(error: DomainError | None) -> str:
        if back == "board":
            # The board's filters travel with the form (hx-include), so the swap keeps them.
            return render_template("leads/_board.html", **_board_context(request.form))
        if back == "tasks":
            return render_template("leads/_tasks.html", **_tasks_context(request.form))
        return render_template("leads/_panel.html", **_lead_context(lead))

    return fragment


def _back_url(back: str, lead: Lead | None) -> str:
    if back == "board":
        return url_for("leads.index")
    if back == "tasks":
        return url_for("leads.task_list", view=read_form(forms.ReturnTo).view)
    return url_for("leads.show", lead_id=lead.id)


def _answer(lead: Lead | None, outcome: str | DomainError, back: str | None = None):
    """The refreshed fragment of the page the form came from (board, tasks or lead page)."""
    back = back or _back()
    return finish_mutation(outcome, back=_back_url(back, lead), fragment=_fragment(back, lead))


def _lead(lead_id: int) -> Lead:
    return get_scoped_or_404(Lead, lead_id)


@bp.post("/<int:lead_id>/stage")
@require("leads.edit")
def move(lead_id: int):
    """Move the lead to another stage (lost needs a reason; won comes with a booking)."""
    lead = _lead(lead_id)
    try:
        form = read_form(forms.StageForm)
        services.move(lead, form.stage, current_user, lost_reason=form.lost_reason)
    except DomainError as error:
        return _answer(lead, error)
    return _answer(lead, f"{lead.name}: {services.STAGE_LABELS[form.stage].lower()}.")


@bp.post("/<int:lead_id>/notes")
@require("leads.edit")
def add_note(lead_id: int):
    """Add a note to the lead's timeline."""
    lead = _lead(lead_id)
    try:
        services.add_note(lead, current_user, read_form(forms.NoteForm).note)
    except DomainError as error:
        return _answer(lead, error)
    return _answer(lead, "Note added.")


@bp.post("/<int:lead_id>/quote")
@require("leads.edit")
def record_quote(lead_id: int):
    """Price the party and note the quote as sent (nothing is sent from here)."""
    lead = _lead(lead_id)
    try:
        form = read_form(forms.QuoteForm)
        priced = services.record_quote(lead, current_user, form.party(), zip_code=form.zip_code)
    except DomainError as error:
        return _answer(lead, error)
    total = priced["total_cents"] / 100
    return _answer(lead, f"Quote of ${total:,.2f} recorded.")


@bp.post("/<int:lead_id>/owner")
@require("leads.edit")
def assign(lead_id: int):
    """Choose who follows the lead up."""
    lead = _lead(lead_id)
    try:
        owner_id = read_form(forms.OwnerForm).owner_id
        owner = db.session.get(User, owner_id) if owner_id else None
        if owner_id and owner is None:
            raise ValidationFailed("Choose someone of this station's team.", fields={"owner_id": "Unknown."})
        services.assign_owner(lead, owner, current_user)
    except DomainError as error:
        return _answer(lead, error)
    return _answer(lead, f"Owner: {owner.name}." if owner else "Owner removed.")


@bp.post("/<int:lead_id>/tasks")
@require("leads.edit")
def add_task(lead_id: int):
    """Add a follow-up task to the lead."""
    lead = _lead(lead_id)
    try:
        form = read_form(forms.TaskForm)
        tasks.add_task(
            g.station_id,
            title=form.title,
            due_at=form.due(g.station.timezone),
            owner_id=form.owner_id,
            actor=current_user,
            lead=lead,
        )
    except DomainError as error:
        return _answer(lead, error)
    return _answer(lead, "Task added.")


@bp.post("/tasks/<int:task_id>/complete")
@require("leads.edit")
def complete_task(task_id: int):
    """Mark a task done (from the tasks list or the lead page)."""
    task = get_scoped_or_404(Task, task_id)
    lead = db.session.get(Lead, task.lead_id) if task.lead_id else None
    back = _back() if lead is not None else "tasks"
    try:
        tasks.complete_task(task, current_user)
    except DomainError as error:
        return _answer(lead, error, back)
    return _answer(lead, f"Done: {task.title}.", back)


@bp.post("/<int:lead_id>/merge")
@require("leads.merge")
def merge(lead_id: int):
    """Merge a duplicate into this lead (this one is kept)."""
    keep = _lead(lead_id)
    try:
        duplicate_id = read_form(forms.MergeForm).duplicate_id
        if duplicate_id is None:
            raise ValidationFailed(
                "Choose the duplicate to merge into this lead.", fields={"duplicate_id": "Required."}
            )
        duplicate = get_scoped_or_404(Lead, duplicate_id)
        merging.merge(keep, duplicate, current_user)
    except DomainError as error:
        return _answer(keep, error, "lead")
    return _answer(keep, f"{duplicate.name} (lead #{duplicate.id}) merged into this lead.", "lead")
