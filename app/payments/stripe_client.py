"""The Stripe SDK, configured from the app config.

STRIPE_SECRET_KEY switches card payments on; without it deposits are recorded by hand
and nothing here is called. STRIPE_API_BASE points the SDK at another server (a local
fake in tests). The SDK retries network errors itself only outside tests; jobs retry
the rest (TransientError) with the same idempotency key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from app.jobs.registry import TransientError

if TYPE_CHECKING:  # the SDK (~9 MB) is imported on first use: most web requests never call Stripe
    import stripe

DEFAULT_TIMEOUT = (5, 20)  # seconds: connect, read (the SDK's default is 80)


def webhook_secret() -> str | None:
    return current_app.config.get("STRIPE_WEBHOOK_SECRET") or None


def client() -> stripe.StripeClient:
    """A StripeClient for this app's configuration (cheap: made per use)."""
    import stripe

    config = current_app.config
    key = config.get("STRIPE_SECRET_KEY")
    if not key:
        raise RuntimeError("STRIPE_SECRET_KEY is not set: card payments are off")
    options: dict = {}
    if config.get("STRIPE_API_BASE"):
        options["base_addresses"] = {"api": config["STRIPE_API_BASE"].rstrip("/")}
    retries = 0 if config.get("TESTING") else config.get("STRIPE_MAX_NETWORK_RETRIES", 1)
    timeout = config.get("STRIPE_TIMEOUT", DEFAULT_TIMEOUT)
    return stripe.StripeClient(
        key,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
        **options,
    )


def is_transient(error: stripe.StripeError) -> bool:
    """Worth retrying with the same idempotency key: network, rate limit, 409 lock, 5xx."""
    import stripe

    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    status = error.http_status or 0
    return status >= 500 or status == 409


def describe(error: stripe.StripeError) -> str:
    message = getattr(error, "user_message", None) or str(error) or type(error).__name__
    return f"{type(error).__name__}: {message}"[:500]


def raise_transient(error: stripe.StripeError) -> None:
    """Re-raise a retryable Stripe error as TransientError (the job is retried)."""
    if is_transient(error):
        raise TransientError(describe(error)) from error
