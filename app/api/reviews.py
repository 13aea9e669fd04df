"""Public API endpoints (filled by the reviews work)."""
