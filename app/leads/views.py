"""Views (filled by the leads work)."""
