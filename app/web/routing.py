"""URL converters: ids in URLs stay within what the database can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from app.ids import MAX_ID


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to 1..MAX_ID unless a rule says otherwise."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
