"""The backend for a channel: the real provider when it is configured, the recorder otherwise."""

from __future__ import annotations

from flask import current_app

from app.delivery.outgoing import Backend, RecordedBackend


def backend_for(channel: str) -> Backend:
    config = current_app.config
    if channel == "email" and config.get("SMTP_HOST"):
        from app.delivery.email_smtp import SmtpBackend

        return SmtpBackend(config)
    if channel == "sms" and config.get("TWILIO_ACCOUNT_SID"):
        from app.delivery.sms_twilio import TwilioBackend

        return TwilioBackend(config)
    if channel == "instagram" and config.get("META_PAGE_ACCESS_TOKEN"):
        from app.delivery.instagram_meta import InstagramBackend

        return InstagramBackend(config)
    if channel in ("email", "sms", "instagram"):
        return RecordedBackend()
    raise ValueError(f"unknown channel {channel!r}")
