"""Payment pages and the Stripe webhook (see app/payments/__init__.py)."""
