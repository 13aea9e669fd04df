"""URL converters: ids in URLs stay within what the database can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id is a 404, not a 500 from the driver


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to 1..MAX_ID unless a rule says otherwise."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(raw: object) -> int | None:
    """A positive database id from untrusted text (ASCII digits, in range), else None."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
