"""Which optional external services this deployment has configured.

A foundation module: booking, payment and API code all ask it, so none of them has to
import another area just to know whether, say, card payments are on.
"""

from __future__ import annotations

from flask import current_app


def stripe_enabled() -> bool:
    """Card payments (Checkout, refunds to the card) are configured: STRIPE_SECRET_KEY is set."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))
