"""Conversations: one inbox for SMS, Instagram, email and web chat, with AI drafts.

- inbound.py: `receive()`, where every channel's message is stored (deduplicated)
- channels/: each channel's parsing and provider checks; webhooks.py: their endpoints
- jobs.py: classify and draft (ai queue); outbound.py: queue a reply; sending.py: send it (app.delivery)
- drafts.py: staff edit, managers approve / reject / regenerate; learning.py: metrics
- views.py: the inbox pages
"""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("inbox", __name__, "/inbox")
# Channel webhooks (Twilio SMS, Meta Instagram, inbound email); public, signature-checked.
webhooks_bp = Blueprint("conversation_webhooks", __name__, url_prefix="/webhooks")

from app.inbox import dashboard, demo, views, webhooks  # noqa: E402,F401
