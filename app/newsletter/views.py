"""Views (filled by the newsletter work)."""
