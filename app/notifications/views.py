"""The station's Sent messages: what went out (or was recorded) for this station."""

from __future__ import annotations

from flask import g, render_template, request

from app.notifications import bp
from app.notifications.queries import STATUS_LABELS, STATUSES, sent_messages, status_counts
from app.permissions import require
from app.web.pagination import page_url_builder
from app.web.params import page_arg


@bp.get("/")
@require("messages.view")
def index():
    """Every email and SMS of this station: sent, recorded (no provider), held back or failed."""
    channel = request.args.get("channel", "")
    status = request.args.get("status", "")
    return render_template(
        "notifications/messages.html",
        filter_endpoint="messages.index",
        page=sent_messages(page=page_arg(), channel=channel, status=status, station_id=g.station_id),
        counts=status_counts(station_id=g.station_id),
        filters={"channel": channel, "status": status},
        statuses=STATUSES,
        status_labels=STATUS_LABELS,
        page_url=page_url_builder("messages.index"),
        page_target="main",
    )
