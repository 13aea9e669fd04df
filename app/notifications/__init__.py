"""Notifications: email and SMS to customers, chefs and staff (see jobs.py)."""

from flask import Blueprint

# Provider callbacks (Twilio delivery status); public, signature-checked.
webhooks_bp = Blueprint("notification_webhooks", __name__, url_prefix="/webhooks")

from app.notifications import webhooks  # noqa: E402,F401
