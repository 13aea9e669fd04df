"""Web chat API (filled by the channels work)."""
