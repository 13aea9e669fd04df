"""Channel webhooks: public, CSRF-exempt, authenticated by the provider's signature or our token.

- POST /webhooks/twilio/sms: an inbound SMS (X-Twilio-Signature over PUBLIC_BASE_URL +
  path + query, never the Host header); answers TwiML.
- GET /webhooks/meta: Meta's subscription handshake; POST /webhooks/meta: Instagram
  messaging events (X-Hub-Signature-256 over the raw body).
- POST /webhooks/email/inbound: a raw MIME message from an inbound-parse service, as
  the body or as the multipart field `email`; `?token=` or `Authorization: Bearer`.

Each fails closed (403) when its secret is not configured, stores through the channel
module (app/conversations/channels/) and commits once; the AI work is a job relayed
after the commit, so the answer is fast.
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Response, current_app, request

from app.conversations import webhooks_bp
from app.conversations.channels import email_in, instagram, sms
from app.delivery.sms_twilio import request_signed_by_twilio
from app.extensions import db

log = logging.getLogger(__name__)


def _text(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


@webhooks_bp.post("/twilio/sms")
def twilio_sms():
    """Twilio delivers an inbound SMS (signed); STOP/START/HELP are handled first."""
    if not request_signed_by_twilio():
        log.warning("inbound SMS refused: bad or missing signature")
        return _text("invalid signature", 403)
    twiml = sms.handle(request.form)
    db.session.commit()
    return Response(twiml, mimetype="text/xml")


@webhooks_bp.get("/meta")
def meta_handshake():
    """Meta checks the webhook before subscribing it: echo the challenge for our verify token."""
    challenge = instagram.handshake_challenge(request.args, current_app.config.get("META_VERIFY_TOKEN"))
    if challenge is None:
        return _text("verification failed", 403)
    return _text(challenge)


@webhooks_bp.post("/meta")
def meta_events():
    """Meta delivers Instagram messaging events (signed)."""
    request.max_content_length = instagram.MAX_DELIVERY_BYTES  # read before the signature can be checked
    raw = request.get_data(cache=True)
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not instagram.signature_valid(current_app.config.get("META_APP_SECRET"), raw, signature):
        log.warning("Meta webhook refused: bad or missing signature")
        return _text("invalid signature", 403)
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return _text("malformed JSON", 400)
    instagram.handle(payload)
    db.session.commit()
    return _text("EVENT_RECEIVED")


def _email_token_valid() -> bool:
    expected = current_app.config.get("INBOUND_EMAIL_TOKEN")
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    given = bearer.strip() if scheme.lower() == "bearer" else request.args.get("token", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@webhooks_bp.post("/email/inbound")
def email_inbound():
    """An inbound-parse service posts a raw email (the body, or the form field `email`)."""
    if not _email_token_valid():
        log.warning("inbound email refused: bad or missing token")
        return _text("invalid token", 403)
    # Werkzeug answers 413 past these (a form field is otherwise capped at 500 KB).
    request.max_content_length = email_in.MAX_EMAIL_BYTES + 64 * 1024
    request.max_form_memory_size = email_in.MAX_EMAIL_BYTES
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("email")
        raw = upload.read() if upload else request.form.get("email", "").encode()
    else:
        raw = request.get_data()
    if len(raw) > email_in.MAX_EMAIL_BYTES:
        return _text("email too large", 413)
    if not raw.strip():
        return _text("no email in the request", 400)
    outcome = email_in.receive_raw(raw)
    db.session.commit()
    return _text(outcome)
