"""Public API endpoints (filled by the newsletter work)."""
