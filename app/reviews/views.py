"""Views (filled by the reviews work)."""
