"""Twilio status callbacks (see app/notifications/__init__.py)."""
