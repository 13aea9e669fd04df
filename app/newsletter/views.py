"""Newsletter pages: campaigns, subscribers, segments (station), and the public links."""

from __future__ import annotations

from functools import partial

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.errors import DomainError
from app.extensions import csrf, db
from app.models.lead import LEAD_STAGES
from app.models.newsletter import Campaign, Segment, Subscriber
from app.newsletter import bp, campaigns, links, public_bp, segments, sending, subscriptions
from app.newsletter.forms import CampaignForm, ScheduleForm, SegmentForm, TestSendForm
from app.permissions import require
from app.tenancy import get_scoped_or_404, scoped
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render, wants_fragment
from app.web.pagination import page_url_builder, paginate

PROGRESS_POLL_SECONDS = 2
STATUSES = ("pending", "subscribed", "unsubscribed")


# -- campaigns ------------------------------------------------------------------------------


@bp.get("/")
@require("newsletter.manage")
def index():
    """Campaigns, newest first, with their counters."""
    page = paginate(scoped(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc()), per_page=25)
    subscribed = db.session.execute(
        select(
            func.count().filter(Subscriber.email_status == "subscribed"),
            func.count().filter(Subscriber.sms_status == "subscribed"),
        ).where(Subscriber.station_id == g.station_id)
    ).one()
    return render_template(
        "newsletter/index.html",
        page=page,
        counts=campaigns.counts_by_campaign([c.id for c in page.items]),
        email_subscribers=subscribed[0],
        sms_subscribers=subscribed[1],
        page_url=page_url_builder("newsletter.index"),
        page_target="main",
    )


def _segments() -> list[Segment]:
    return list(db.session.scalars(scoped(Segment).order_by(Segment.name)))


def _campaign_form(campaign: Campaign | None, error: DomainError | None = None) -> str:
    return render_template(
        "newsletter/campaign_form.html",
        campaign=campaign,
        form=request.form if request.method == "POST" else None,
        segments=_segments(),
        error=error,
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require("newsletter.manage")
def campaign_new():
    """Compose a campaign (saved as a draft)."""
    if request.method == "GET":
        return _campaign_form(None)
    try:
        campaign = campaigns.save(g.station_id, read_form(CampaignForm).model_dump(), actor=current_user)
    except DomainError as error:
        return finish_mutation(error, back=url_for("newsletter.campaign_new"), page=partial(_campaign_form, None))
    message = "Draft saved. Preview it, send yourself a test, then schedule or send."
    return finish_mutation(message, back=url_for("newsletter.campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@require("newsletter.manage")
def campaign_edit(campaign_id: int):
    """Edit a draft or scheduled campaign."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    if request.method == "GET":
        return _campaign_form(campaign)
    back = url_for("newsletter.campaign", campaign_id=campaign.id)
    try:
        campaigns.save(g.station_id, read_form(CampaignForm).model_dump(), actor=current_user, campaign=campaign)
    except DomainError as error:
        return finish_mutation(error, back=back, page=partial(_campaign_form, campaign))
    return finish_mutation("Campaign saved.", back=back)


def _progress_context(campaign: Campaign) -> dict:
    return {"campaign": campaign, "stats": campaigns.stats(campaign), "poll_seconds": PROGRESS_POLL_SECONDS}


@bp.get("/campaigns/<int:campaign_id>")
@require("newsletter.manage")
def campaign(campaign_id: int):
    """A campaign: its message, audience, actions, and the live progress and stats."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    audience = None
    if campaign.status in campaigns.EDITABLE:
        audience = db.session.scalar(select(func.count()).select_from(campaigns.audience(campaign).subquery()))
    return render_template(
        "newsletter/campaign.html",
        audience=audience,
        links=campaigns.campaign_links(campaign),
        **_progress_context(campaign),
    )


@bp.get("/campaigns/<int:campaign_id>/progress")
@require("newsletter.manage")
def campaign_progress(campaign_id: int):
    """The progress bar and stats; polls itself every 2 s while the campaign is sending."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    if not wants_fragment():
        return redirect(url_for("newsletter.campaign", campaign_id=campaign.id))
    return render_template("newsletter/_progress.html", **_progress_context(campaign))


@bp.get("/campaigns/<int:campaign_id>/preview")
@require("newsletter.manage")
def campaign_preview(campaign_id: int):
    """The message as a sample subscriber of the audience would get it."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    name, message = campaigns.preview(campaign, g.station)
    return render(
        "newsletter/preview.html", "newsletter/_preview.html", campaign=campaign, sample=name, message=message
    )


def _acted(campaign: Campaign, outcome: str | DomainError):
    """After an action: back to the campaign page (HTMX: a full redirect), the outcome flashed."""
    return finish_mutation(outcome, back=url_for("newsletter.campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/test")
@require("newsletter.manage")
def campaign_test(campaign_id: int):
    """Send a test copy to me (email) or to the number typed (SMS)."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    try:
        to = campaigns.send_test(campaign, g.station, current_user, read_form(TestSendForm).phone)
    except DomainError as error:
        return _acted(campaign, error)
    return _acted(campaign, f"Test sent to {to}.")


@bp.post("/campaigns/<int:campaign_id>/schedule")
@require("newsletter.manage")
def campaign_schedule(campaign_id: int):
    """Send at a station-local date and time."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    try:
        when = campaigns.parse_local(read_form(ScheduleForm).scheduled_at, g.station)
        campaigns.schedule(campaign, when)
    except DomainError as error:
        return _acted(campaign, error)
    return _acted(campaign, "Scheduled.")


@bp.post("/campaigns/<int:campaign_id>/send")
@require("newsletter.manage")
def campaign_send(campaign_id: int):
    """Start sending now, in batches on the notifications queue."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    try:
        total = sending.start(campaign)
    except DomainError as error:
        return _acted(campaign, error)
    return _acted(campaign, f"Sending to {total:,} subscribers.")


@bp.post("/campaigns/<int:campaign_id>/cancel")
@require("newsletter.manage")
def campaign_cancel(campaign_id: int):
    """Unschedule, or stop a send under way."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    try:
        campaigns.cancel(campaign)
    except DomainError as error:
        return _acted(campaign, error)
    return _acted(campaign, "Cancelled." if campaign.status == "cancelled" else "Back to draft.")


# -- subscribers ----------------------------------------------------------------------------


def _subscriber_query():
    query = scoped(Subscriber)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(Subscriber.name).like(like), Subscriber.email.like(like), Subscriber.phone.like(f"%{q}%"))
        )
    for field in ("email_status", "sms_status"):
        value = request.args.get(field)
        if value in STATUSES:
            query = query.where(getattr(Subscriber, field) == value)
    tag = (request.args.get("tag") or "").strip().lower()[:40]
    if tag:
        query = query.where(segments.conditions({"tags": [tag]})[0])
    return query.order_by(Subscriber.created_at.desc(), Subscriber.id.desc())


@bp.get("/subscribers")
@require("newsletter.manage")
def subscribers():
    """Subscribers with their consent states; search and filters."""
    return render(
        "newsletter/subscribers.html",
        "newsletter/_subscribers.html",
        page=paginate(_subscriber_query(), per_page=50),
        args=request.args,
        statuses=STATUSES,
        page_url=page_url_builder("newsletter.subscribers"),
        page_target="#subscriber-list",
    )


@bp.get("/subscribers/<int:subscriber_id>")
@require("newsletter.manage")
def subscriber(subscriber_id: int):
    """One subscriber and their consent ledger."""
    subscriber = get_scoped_or_404(Subscriber, subscriber_id)
    return render_template("newsletter/subscriber.html", subscriber=subscriber, ledger=subscriptions.ledger(subscriber))


# -- segments -------------------------------------------------------------------------------


def _segment_fields() -> SegmentForm:
    """The segment form as sent (a POST, or the GET of the live count); unreadable: empty."""
    try:
        return read_form(SegmentForm, request.values)
    except DomainError:
        return SegmentForm()


@bp.get("/segments")
@require("newsletter.manage")
def segment_list():
    """Segments with how many they reach by email and SMS."""
    rows = [(s, segments.counts(g.station_id, s.rules or {})) for s in _segments()]
    return render_template("newsletter/segments.html", rows=rows, describe=segments.describe)


def _counts_or_none(rules: dict) -> dict[str, int] | None:
    try:
        return segments.counts(g.station_id, segments.clean_rules(rules))
    except DomainError:
        return None


def _segment_form(segment: Segment | None, error: DomainError | None = None) -> str:
    if request.method == "POST":
        typed = _segment_fields()
        name, rules = typed.name, typed.rules()
    else:
        name, rules = (segment.name if segment else ""), (segment.rules if segment else {})
    return render_template(
        "newsletter/segment_form.html",
        segment=segment,
        name=name,
        rules=rules,
        stages=LEAD_STAGES,
        counts=_counts_or_none(rules),
        error=error,
    )


def _save_segment(segment: Segment | None):
    back = url_for("newsletter.segment_list")
    try:
        form = read_form(SegmentForm)
        segments.save(g.station_id, form.name, form.rules(), segment)
    except DomainError as error:
        return finish_mutation(error, back=back, page=partial(_segment_form, segment))
    return finish_mutation("Segment saved.", back=back)


@bp.route("/segments/new", methods=["GET", "POST"])
@require("newsletter.manage")
def segment_new():
    """A new segment."""
    return _segment_form(None) if request.method == "GET" else _save_segment(None)


@bp.route("/segments/<int:segment_id>/edit", methods=["GET", "POST"])
@require("newsletter.manage")
def segment_edit(segment_id: int):
    """Edit a segment."""
    segment = get_scoped_or_404(Segment, segment_id)
    return _segment_form(segment) if request.method == "GET" else _save_segment(segment)


@bp.post("/segments/<int:segment_id>/delete")
@require("newsletter.manage")
def segment_delete(segment_id: int):
    """Delete a segment (campaigns that used it keep their recipients)."""
    segment = get_scoped_or_404(Segment, segment_id)
    name = segment.name
    db.session.delete(segment)
    return finish_mutation(f"Segment {name!r} deleted.", back=url_for("newsletter.segment_list"))


@bp.get("/segments/count")
@require("newsletter.manage")
def segment_count():
    """How many the rules on the form reach (the form asks as it changes)."""
    try:
        counts = segments.counts(g.station_id, segments.clean_rules(_segment_fields().rules()))
    except DomainError as error:
        return render_template("newsletter/_segment_count.html", counts=None, error=error.message)
    return render_template("newsletter/_segment_count.html", counts=counts, error=None)


# -- public: confirm, unsubscribe, clicks ---------------------------------------------------
# The token in the URL is the credential (there is no session to forge), and mail clients
# post the one-click unsubscribe without any token of ours: no CSRF check on these.


@public_bp.route("/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt
def confirm(token: str):
    """Double opt-in: GET shows a button (link scanners only GET), POST confirms."""
    subscriber = subscriptions.subscriber_from_confirm_token(token)
    if subscriber is None:
        abort(404)
    done = subscriber.email_status == "subscribed"
    if request.method == "POST":
        subscriptions.confirm(subscriber, ip=request.remote_addr)
        db.session.commit()
        done = subscriber.email_status == "subscribed"
    return render_template("newsletter/public/confirm.html", subscriber=subscriber, token=token, done=done)


@public_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """One-click unsubscribe (RFC 8058): GET shows a button, POST unsubscribes from email."""
    subscriber = subscriptions.subscriber_from_unsubscribe_token(token)
    if subscriber is None:
        abort(404)
    if request.method == "GET":
        return render_template("newsletter/public/unsubscribe.html", subscriber=subscriber, token=token, done=False)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    subscriptions.unsubscribe(
        subscriber,
        "email",
        text="Unsubscribed with the one-click link of a newsletter."
        if one_click
        else "Unsubscribed on the page linked from a newsletter.",
        source="email.one_click" if one_click else "email.unsubscribe",
        ip=request.remote_addr,
    )
    db.session.commit()
    return render_template("newsletter/public/unsubscribe.html", subscriber=subscriber, token=token, done=True)


@public_bp.get("/c/<token>")
def click(token: str):
    """A tracked link: count the click, then go to the campaign's own URL (never the query's)."""
    url = links.record_click(token, request.args.get("r"))
    if url is None:
        abort(404)
    db.session.commit()
    return redirect(url, code=302)
