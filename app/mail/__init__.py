"""Account email (password reset, invitation): a row in the caller's transaction, sent after commit.

With SMTP_HOST set, delivery goes over SMTP through the notifications' SMTP backend
(one SMTP implementation); without it the row is the delivery (the embedded backend:
messages are kept and shown to owners on the Sent messages page, with the
notifications). Customer, chef and staff messages are `Notification` rows instead
(app.notifications): they have keys, consent rules and jobs; these have none.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import EmailMessage

log = logging.getLogger(__name__)


def queue_email(*, to: str, template: str, kind: str, station_id: int | None = None, **context) -> EmailMessage:
    """Render `templates/email/<template>.{txt,html}` and add the message to the session.

    Rendered with the bare Jinja environment (no page context processors), so that a
    job without a request can queue one too.
    """

    def render(name: str) -> str:
        return current_app.jinja_env.get_template(f"email/{template}.{name}").render(context)

    subject = render("subject.txt").strip()
    message = EmailMessage(
        station_id=station_id,
        to_address=to,
        subject=subject,
        text_body=render("txt"),
        html_body=render("html"),
        kind=kind,
        status="queued",
    )
    db.session.add(message)
    db.session.flush()
    return message


def deliver(message_id: int) -> str:
    """Send one queued message at most once (a claimed, sent or recorded one is left alone)."""
    from app.notifications import backends

    message = db.session.get(EmailMessage, message_id)
    if message is None or message.status != "queued":
        return message.status if message else "missing"
    if not current_app.config.get("SMTP_HOST"):
        message.status = "recorded"
        message.sent_at = utcnow()
        db.session.commit()
        log.info("email recorded (no SMTP_HOST): %s to %s", message.kind, message.to_address)
        return message.status
    outgoing = backends.Outgoing(
        channel="email",
        to=message.to_address,
        subject=message.subject,
        body_text=message.text_body,
        body_html=message.html_body,
    )
    backend = backends.backend_for("email")
    if not _move(message_id, "queued", status="sending"):
        return "sending"
    # Claimed and committed: no transaction stays open across the network call.
    try:
        backend.send(outgoing)
    except backends.UncertainSendError as exc:
        _move(message_id, "sending", error=f"outcome unknown, not retried: {exc}")
        log.error("email %s: outcome unknown: %s", message_id, exc)
        return "sending"
    except backends.SendError as exc:
        _move(message_id, "sending", status="failed", error=str(exc))
        log.warning("email %s failed: %s", message_id, exc)
        return "failed"
    _move(message_id, "sending", status="sent", sent_at=utcnow())
    return "sent"


def _move(message_id: int, from_status: str, **values) -> bool:
    result = db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1
