"""Notifications: email and SMS to customers, chefs and staff (see jobs.py)."""

from flask import Blueprint

from app.web.access import station_blueprint

# Provider callbacks (Twilio delivery status); public, signature-checked.
webhooks_bp = Blueprint("notification_webhooks", __name__, url_prefix="/webhooks")
# The station's Sent messages page (the owner's page across stations is in app.admin).
bp = station_blueprint("messages", __name__, "/messages")

from app.notifications import views, webhooks  # noqa: E402,F401
