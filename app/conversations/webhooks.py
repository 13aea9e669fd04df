"""Channel webhooks (filled by the channels work)."""
