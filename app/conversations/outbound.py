"""Sending replies (filled by the outbound work)."""
