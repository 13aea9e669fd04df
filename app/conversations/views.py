"""The inbox: conversation list, conversation page with its draft, knowledge base, learning."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.ai.labels import EMOTIONS, INTENTS
from app.conversations import bp, drafts, learning, library, outbound, queries
from app.conversations.forms import CannedForm, DraftForm, KnowledgeForm, LabelsForm, RejectForm, StatusForm
from app.errors import DomainError
from app.extensions import db, limiter
from app.models.base import utcnow
from app.models.conversation import (
    CHANNEL_LABELS,
    CannedReply,
    Conversation,
    Draft,
    KnowledgeEntry,
    LabelCorrection,
    Message,
)
from app.models.station import Station
from app.permissions import require
from app.tenancy import get_scoped_or_404, scoped
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render, wants_fragment
from app.web.pagination import page_url_builder, paginate
from app.web.params import int_arg

# How often the pages poll for news (seconds): the list, the thread, a draft being written.
LIST_POLL_SECONDS = 15
THREAD_POLL_SECONDS = 10
DRAFT_POLL_SECONDS = 1


@bp.app_template_global()
def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


@bp.get("/")
@require("inbox.view")
def index():
    """Conversations: escalated first, then the longest waiting; filters; polls for news."""
    filters = queries.InboxFilters.from_args(request.args)
    page = paginate(queries.conversation_list(filters), per_page=30)
    return render(
        "inbox/index.html",
        "inbox/_list.html",
        page=page,
        filters=filters,
        views=queries.VIEWS,
        channels=CHANNEL_LABELS,
        intents=INTENTS,
        emotions=EMOTIONS,
        now=utcnow(),
        sla_minutes=g.station.settings.first_response_sla_minutes,
        waiting_minutes=queries.waiting_minutes,
        drafts_waiting=queries.with_draft_waiting([c.id for c in page.items]),
        page_url=page_url_builder("inbox.index"),
        page_target="#inbox-list",
        poll_seconds=LIST_POLL_SECONDS,
    )


def _conversation(conversation_id: int) -> Conversation:
    return get_scoped_or_404(Conversation, conversation_id)


def _draft_context(conversation: Conversation, error: str | None = None) -> dict:
    canned = db.session.scalars(scoped(CannedReply).order_by(CannedReply.title)).all()
    return {
        "conversation": conversation,
        "draft": drafts.open_draft_of(conversation),
        "window": outbound.messaging_window(conversation),
        "canned": canned,
        "error": error,
        "draft_poll_seconds": DRAFT_POLL_SECONDS,
        # The newest message the form was shown with: a reply sent since is not sent again.
        "seen_message_id": db.session.scalar(
            select(func.max(Message.id)).where(Message.conversation_id == conversation.id)
        ),
    }


def _thread_context(conversation: Conversation) -> dict:
    return {
        "conversation": conversation,
        "messages": queries.thread(conversation),
        "intents": INTENTS,
        "emotions": EMOTIONS,
        "thread_poll_seconds": THREAD_POLL_SECONDS,
    }


@bp.get("/<int:conversation_id>")
@require("inbox.view")
def conversation(conversation_id: int):
    """One conversation: the thread, who it is with, and the reply draft under it."""
    conversation = _conversation(conversation_id)
    if conversation.unread:
        conversation.unread = 0  # opened by the team: read
        db.session.commit()
    return render_template(
        "inbox/show.html",
        now=utcnow(),
        sla_minutes=g.station.settings.first_response_sla_minutes,
        waiting=queries.waiting_minutes(conversation, utcnow()),
        **queries.side_panel(conversation),
        **_thread_context(conversation),
        **{key: value for key, value in _draft_context(conversation).items() if key != "conversation"},
    )


@bp.get("/<int:conversation_id>/thread")
@require("inbox.view")
def thread(conversation_id: int):
    """The messages (polled while the page is open)."""
    conversation = _conversation(conversation_id)
    return render_template("inbox/_thread.html", **_thread_context(conversation))


@bp.get("/<int:conversation_id>/draft")
@require("inbox.view")
def draft(conversation_id: int):
    """The reply panel; polls itself while the AI writes."""
    conversation = _conversation(conversation_id)
    if not wants_fragment():  # a plain visit: the whole conversation page
        return redirect(url_for("inbox.conversation", conversation_id=conversation.id))
    return render_template("inbox/_draft.html", **_draft_context(conversation))


def _draft_panel(conversation: Conversation):
    def fragment(error: DomainError | None) -> str:
        return render_template("inbox/_draft.html", **_draft_context(conversation, error.message if error else None))

    return fragment


def _drafted(conversation: Conversation, outcome: str | DomainError):
    """The reply panel again (the thread reloads itself on `thread-changed`), or the page."""
    back = url_for("inbox.conversation", conversation_id=conversation.id)
    return finish_mutation(outcome, back=back, fragment=_draft_panel(conversation), events=["thread-changed"])


def _open_draft_or_none(conversation: Conversation, draft_id: int | None):
    """The open draft the form was showing; a stale form (another draft since) is refused."""
    current = drafts.open_draft_of(conversation)
    if draft_id and (current is None or current.id != draft_id):
        raise DomainError("The draft changed while you were editing; your text is still in the box, reload to compare.")
    return current


@bp.post("/<int:conversation_id>/draft")
@require("drafts.edit")
def propose(conversation_id: int):
    """Staff save their edit (or a reply written by hand) for a manager to send."""
    conversation = _conversation(conversation_id)
    try:
        form = read_form(DraftForm)
        _open_draft_or_none(conversation, form.draft_id)
        drafts.propose(conversation, form.text, current_user, seen_message_id=form.seen_message_id)
    except DomainError as error:
        return _drafted(conversation, error)
    return _drafted(conversation, "Draft saved for a manager to send.")


@bp.post("/<int:conversation_id>/draft/send")
@require("drafts.send")
def send(conversation_id: int):
    """A manager approves the draft (as edited in the box) and it is sent."""
    conversation = _conversation(conversation_id)
    try:
        form = read_form(DraftForm)
        current = _open_draft_or_none(conversation, form.draft_id)
        if current is None:
            current = drafts.propose(conversation, form.text, current_user, seen_message_id=form.seen_message_id)
        drafts.approve_and_send(current, current_user, form.text, seen_message_id=form.seen_message_id)
    except DomainError as error:
        return _drafted(conversation, error)
    return _drafted(conversation, f"Reply queued on {CHANNEL_LABELS[conversation.channel]}.")


@bp.post("/<int:conversation_id>/draft/reject")
@require("drafts.send")
def reject(conversation_id: int):
    """A manager discards the draft (kept, marked rejected)."""
    conversation = _conversation(conversation_id)
    try:
        form = read_form(RejectForm)
        current = _open_draft_or_none(conversation, form.draft_id)
        if current is None:
            raise DomainError("There is no draft to reject.")
        drafts.reject(current, current_user, form.reason)
    except DomainError as error:
        return _drafted(conversation, error)
    return _drafted(conversation, "Draft rejected.")


def _regenerate_limit() -> str:
    return current_app.config["DRAFT_REGENERATE_LIMIT"]


@bp.post("/<int:conversation_id>/draft/regenerate")
@require("drafts.edit")
@limiter.limit(_regenerate_limit, key_func=lambda: f"user-{current_user.id}", scope="draft-regenerate")
def regenerate(conversation_id: int):
    """Ask the AI for a fresh draft (rate-limited per user: every draft may cost money)."""
    conversation = _conversation(conversation_id)
    try:
        drafts.regenerate(conversation, current_user)
    except DomainError as error:
        return _drafted(conversation, error)
    return _drafted(conversation, "Writing a new draft…")


@bp.get("/<int:conversation_id>/canned")
@require("drafts.edit")
def canned(conversation_id: int):
    """A canned reply with its variables filled, to put in the editor."""
    conversation = _conversation(conversation_id)
    canned_id = int_arg(request.args, "canned_id")
    if canned_id is None:
        return "", 204  # the "Insert a canned reply…" placeholder: leave the editor as it is
    reply = get_scoped_or_404(CannedReply, canned_id)
    text = library.render_canned(reply, conversation, g.station)
    return render_template("inbox/_editor.html", text=text, channel=conversation.channel)


@bp.post("/<int:conversation_id>/messages/<int:message_id>/labels")
@require("drafts.edit")
def correct_labels(conversation_id: int, message_id: int):
    """Correct a message's intent or emotion (one click; the classifier learns from it)."""
    conversation = _conversation(conversation_id)
    message = get_scoped_or_404(Message, message_id)
    if message.conversation_id != conversation.id:
        abort(404)
    back = url_for("inbox.conversation", conversation_id=conversation.id)
    try:
        form = read_form(LabelsForm)
        changed = learning.correct_labels(message, current_user, intent=form.intent, emotion=form.emotion)
    except DomainError as error:
        return finish_mutation(error, back=back)
    note = "Labels corrected: the classifier will learn from it." if changed else "Labels unchanged."
    labels = partial(render_template, "inbox/_labels.html", message=message, intents=INTENTS, emotions=EMOTIONS)
    return finish_mutation(note, back=back, fragment=lambda _: labels())


@bp.post("/<int:conversation_id>/status")
@require("drafts.edit")
def set_status(conversation_id: int):
    """Close a finished conversation or reopen it (a new customer message reopens it too)."""
    conversation = _conversation(conversation_id)
    back = url_for("inbox.conversation", conversation_id=conversation.id)
    try:
        status = read_form(StatusForm).status
    except DomainError as error:
        return finish_mutation(error, back=back)
    conversation.status = status
    if status == "closed":
        conversation.escalated = False
    return finish_mutation("Conversation closed." if status == "closed" else "Conversation reopened.", back=back)


# -- learning -------------------------------------------------------------------------------


@bp.get("/learning")
@require("analytics.view")
def learning_page():
    """How often AI drafts go out unchanged, and how much is edited, per intent."""
    station_ids = [g.station.id]
    all_stations = []
    if current_user.is_owner:
        all_stations = db.session.scalars(db.select(Station).order_by(Station.name)).all()
    rows = learning.acceptance(station_ids)
    business = learning.acceptance([s.id for s in all_stations]) if all_stations else []
    names = {station.id: station.name for station in all_stations}
    recent = db.session.scalars(
        scoped(Draft, Draft.status == "sent", Draft.source == "ai").order_by(Draft.decided_at.desc()).limit(10)
    ).all()
    return render_template(
        "inbox/learning.html",
        rows=rows,
        total=learning.totals(rows),
        business=business,
        station_names=names,
        recent=recent,
        corrections=db.session.scalar(
            db.select(db.func.count()).select_from(LabelCorrection).where(LabelCorrection.station_id == g.station.id)
        ),
    )


# -- knowledge base and canned replies --------------------------------------------------------


def _library_page(error: DomainError | None = None) -> str:
    entries = db.session.scalars(scoped(KnowledgeEntry).order_by(KnowledgeEntry.kind, KnowledgeEntry.question)).all()
    canned_replies = db.session.scalars(scoped(CannedReply).order_by(CannedReply.title)).all()
    return render_template(
        "inbox/library.html",
        entries=entries,
        canned_replies=canned_replies,
        kinds=library.KNOWLEDGE_KINDS,
        variables=library.VARIABLES,
        error=error.message if error else None,
    )


@bp.get("/library")
@require("inbox.view")
def library_page():
    """The knowledge base drafts quote from, and the canned replies."""
    return _library_page()


def _library_saved(outcome: str | DomainError):
    return finish_mutation(outcome, back=url_for("inbox.library_page"), page=_library_page)


@bp.post("/library/knowledge")
@bp.post("/library/knowledge/<int:entry_id>")
@require("inbox.manage")
def save_knowledge(entry_id: int | None = None):
    """Add or edit a knowledge-base entry."""
    entry = get_scoped_or_404(KnowledgeEntry, entry_id) if entry_id else None
    try:
        form = read_form(KnowledgeForm)
        library.save_knowledge(g.station.id, entry=entry, **form.model_dump())
    except DomainError as error:
        return _library_saved(error)
    return _library_saved("Knowledge base saved.")


@bp.post("/library/knowledge/<int:entry_id>/delete")
@require("inbox.manage")
def delete_knowledge(entry_id: int):
    """Remove a knowledge-base entry."""
    library.delete(get_scoped_or_404(KnowledgeEntry, entry_id))
    return _library_saved("Entry deleted.")


@bp.post("/library/canned")
@bp.post("/library/canned/<int:reply_id>")
@require("inbox.manage")
def save_canned(reply_id: int | None = None):
    """Add or edit a canned reply."""
    reply = get_scoped_or_404(CannedReply, reply_id) if reply_id else None
    try:
        form = read_form(CannedForm)
        library.save_canned(g.station.id, reply=reply, **form.model_dump())
    except DomainError as error:
        return _library_saved(error)
    return _library_saved("Canned reply saved.")


@bp.post("/library/canned/<int:reply_id>/delete")
@require("inbox.manage")
def delete_canned(reply_id: int):
    """Remove a canned reply."""
    library.delete(get_scoped_or_404(CannedReply, reply_id))
    return _library_saved("Canned reply deleted.")
