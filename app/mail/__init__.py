"""Account email (password reset, invitation): a notification row of purpose "account".

`queue_email()` renders the message, writes the row in the caller's transaction and
emits the send job through the outbox, so it leaves only once the caller commits (and a
rolled-back request sends nothing). Delivery, retries and the Sent messages page are the
delivery layer's (app.delivery), as for every other message.
"""

from __future__ import annotations

import uuid

from flask import current_app

from app.extensions import db
from app.jobs.outbox import emit
from app.models.delivery import QUEUED
from app.models.outbox import Notification

ACCOUNT = "account"


def queue_email(*, to: str, template: str, kind: str, station_id: int | None = None, **context) -> Notification:
    """Render `templates/email/<template>.{subject.txt,txt,html}` and queue it; flushes.

    Rendered with the bare Jinja environment (no page context processors), so that a
    job without a request can queue one too.
    """

    def render(name: str) -> str:
        return current_app.jinja_env.get_template(f"email/{template}.{name}").render(context)

    message = Notification(
        key=f"account:{kind}:{uuid.uuid4().hex}",
        station_id=station_id,
        kind=kind,
        channel="email",
        purpose=ACCOUNT,
        recipient=to,
        subject=render("subject.txt").strip()[:255],
        body_text=render("txt"),
        body_html=render("html"),
        status=QUEUED,
    )
    db.session.add(message)
    db.session.flush()
    emit("notifications.send", key=f"send-{message.key}", station_id=station_id, notification_ids=[message.id])
    return message
