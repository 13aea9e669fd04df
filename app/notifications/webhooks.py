"""Public, unauthenticated endpoints of notifications (Twilio's delivery reports: app/delivery/webhooks.py).

- GET/POST /webhooks/email/unsubscribe/<token>: the List-Unsubscribe target of
  marketing email. GET shows a confirmation button (link scanners must not
  unsubscribe anyone); POST, from that button or a mail client's one-click
  (RFC 8058), withdraws email marketing consent.
"""

from __future__ import annotations

import logging

from flask import abort, render_template, request

from app.customers import services as customers
from app.extensions import db
from app.models.customer import Customer
from app.notifications import webhooks_bp
from app.notifications.compose import customer_from_unsubscribe_token

log = logging.getLogger(__name__)


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
