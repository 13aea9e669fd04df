"""Database ids from untrusted text: what every layer (views, services, queries) accepts."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id is a 404, not a 500 from the driver


def parse_id(raw: object) -> int | None:
    """A positive database id from untrusted text (ASCII digits, in range), else None."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:  # int() of 5,000 digits raises
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
