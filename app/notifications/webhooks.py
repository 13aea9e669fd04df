"""Public, unauthenticated endpoints of notifications (see app/notifications/__init__.py).

- POST /webhooks/twilio/status: Twilio's delivery status callback. The signature is
  checked with twilio's RequestValidator against the public URL Twilio called
  (PUBLIC_BASE_URL + path, never the Host header); fails closed with 403 when
  TWILIO_AUTH_TOKEN is unset or the signature is wrong.
- GET/POST /webhooks/email/unsubscribe/<token>: the List-Unsubscribe target of
  marketing email. GET shows a confirmation button (link scanners must not
  unsubscribe anyone); POST, from that button or a mail client's one-click
  (RFC 8058), withdraws email marketing consent.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, render_template, request
from sqlalchemy import select, update

from app.customers import services as customers
from app.extensions import db
from app.models.customer import Customer
from app.models.outbox import Notification
from app.notifications import compose, webhooks_bp
from app.notifications.compose import customer_from_unsubscribe_token

log = logging.getLogger(__name__)

# Later states win; a late "sent" never overwrites "delivered" (callbacks come out of order).
DELIVERY_RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "read": 6,
    "canceled": 6,
}


@webhooks_bp.post("/twilio/status")
def twilio_status():
    """Twilio reports a message's delivery status (signed)."""
    from app.conversations.channels.sms import signature_valid  # the one Twilio signature check

    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature_valid(token, compose.public_request_url(), request.form, signature):
        log.warning("Twilio status callback refused: bad or missing signature")
        return "invalid signature", 403
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()[:32]
    if not sid or not status:
        return "", 204
    notification = db.session.scalar(
        select(Notification).where(Notification.provider_id == sid, Notification.channel == "sms")
    )
    if notification is None:
        # A conversation reply, or not ours (or not recorded yet): no retry wanted either way.
        from app.conversations import outbound  # imports this module's DELIVERY_RANK

        if outbound.record_delivery_status(sid, status, request.form.get("ErrorCode")):
            db.session.commit()
        return "", 204
    current = DELIVERY_RANK.get(notification.delivery_status or "", 0)
    if DELIVERY_RANK.get(status, 0) >= current:
        values = {"delivery_status": status}
        error_code = request.form.get("ErrorCode")
        if error_code:
            values["error"] = f"Twilio error {error_code[:20]} ({status})"
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return "", 204


def _customer_or_404(token: str) -> Customer:
    customer_id = customer_from_unsubscribe_token(token)
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        abort(404)
    return customer


@webhooks_bp.route("/email/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop marketing email (review requests, newsletters) to this customer."""
    customer = _customer_or_404(token)
    if request.method == "GET":
        return render_template("notifications/unsubscribe.html", customer=customer, token=token, done=False)
    if customer.email_consent:
        customers.record_consent(
            customer,
            channel="email",
            granted=False,
            text="Unsubscribed with the link in an email.",
            source="email.unsubscribe",
            ip_address=request.remote_addr,
            purpose="marketing",
        )
        db.session.commit()
    return render_template("notifications/unsubscribe.html", customer=customer, token=token, done=True)
