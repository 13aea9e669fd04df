"""POST /webhooks/twilio/status: Twilio's delivery reports for every SMS we sent.

Signed with X-Twilio-Signature over the public URL Twilio called (PUBLIC_BASE_URL + path,
never the Host header); fails closed (403) when TWILIO_AUTH_TOKEN is unset or the signature
is wrong. The report goes to whichever row has that SID: a notification, an inbox reply or
a newsletter recipient.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request

from app.delivery import engine
from app.delivery.sms_twilio import request_signed_by_twilio

log = logging.getLogger(__name__)

webhooks_bp = Blueprint("delivery_webhooks", __name__, url_prefix="/webhooks")


@webhooks_bp.post("/twilio/status")
def twilio_status():
    """Twilio reports a message's delivery status (signed)."""
    if not request_signed_by_twilio():
        log.warning("Twilio status callback refused: bad or missing signature")
        return "invalid signature", 403
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if sid and status:
        # Not ours (or not recorded yet): no retry wanted either way, so 204 regardless.
        engine.record_provider_status("sms", sid, status, request.form.get("ErrorCode"))
    return "", 204
