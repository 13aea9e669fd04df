"""Email: queued as a row in the caller's transaction, delivered after commit.

With SMTP_HOST set, delivery goes over SMTP; without it the row is the delivery (the
embedded backend: messages are kept and shown to owners on the Sent messages page).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage as MimeMessage
from email.utils import make_msgid

from flask import current_app, render_template

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import EmailMessage

log = logging.getLogger(__name__)


def queue_email(
    *, to: str, template: str, kind: str, station_id: int | None = None, **context
) -> EmailMessage:
    """Render `templates/email/<template>.{txt,html}` and add the message to the session."""
    subject = render_template(f"email/{template}.subject.txt", **context).strip()
    message = EmailMessage(
        station_id=station_id,
        to_address=to,
        subject=subject,
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
        kind=kind,
        status="queued",
    )
    db.session.add(message)
    db.session.flush()
    return message


def _mime(message: EmailMessage) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = current_app.config["MAIL_FROM"]
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(domain="teppan")
    mime.set_content(message.text_body)
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
    return mime


def deliver(message_id: int) -> str:
    """Send one queued message (idempotent: a sent or recorded one is left alone)."""
    message = db.session.get(EmailMessage, message_id)
    if message is None or message.status != "queued":
        return message.status if message else "missing"
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        message.status = "recorded"
        message.sent_at = utcnow()
        db.session.commit()
        log.info("email recorded (no SMTP_HOST): %s to %s", message.kind, message.to_address)
        return message.status
    mime = _mime(message)
    db.session.commit()  # no transaction stays open across the network call
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=15) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USERNAME"):
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
            smtp.send_message(mime)
    except (OSError, smtplib.SMTPException) as exc:
        message.status = "failed"
        message.error = f"{type(exc).__name__}: {exc}"
        db.session.commit()
        log.warning("email %s failed: %s", message_id, message.error)
        return message.status
    message.status = "sent"
    message.sent_at = utcnow()
    db.session.commit()
    return message.status
