"""Views (filled by the qr work)."""
