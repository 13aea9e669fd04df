"""Views (filled by the analytics work)."""
