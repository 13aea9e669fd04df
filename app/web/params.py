"""Numbers from the query string, checked in one place before they reach SQL.

`int()` accepts what the database does not: `?page=99999999999999999999` became an
OFFSET past bigint ("out of range", a 500 on PostgreSQL; SQLite overflows too),
`?station=2147483648` an integer comparison PostgreSQL refuses, and "٣" (an
Arabic-Indic digit) passes `str.isdigit()`. Page numbers are clamped (`page_arg`: a
position in a list, any value shows some page); every other numeric parameter goes
through `int_arg`: ASCII digits within the range the caller names, else a 400 that
says which parameter and what it may be.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, request

from app.ids import MAX_ID

MAX_PAGE = 100_000  # 100,000 pages of 100 rows: more than any list here holds


def parse_int(raw: object, *, minimum: int, maximum: int) -> int | None:
    """`raw` as an int within [minimum, maximum] (ASCII digits, an optional leading "-"), else None."""
    text = str(raw if raw is not None else "")
    digits = text[1:] if text.startswith("-") else text
    if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None  # 19 digits hold any 64-bit number; int() of 5,000 digits would raise
    value = int(text)
    return value if minimum <= value <= maximum else None


def int_arg(
    args: Mapping[str, str] | None,
    name: str,
    *,
    minimum: int = 1,
    maximum: int = MAX_ID,
    default: int | None = None,
) -> int | None:
    """The query parameter `name` as an int in range; `default` when absent or empty; else 400."""
    args = request.args if args is None else args
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        abort(400, f"'{name}' must be a whole number from {minimum} to {maximum}.")
    return value


def page_arg(args: Mapping[str, str] | None = None) -> int:
    """`?page=` clamped to 1..MAX_PAGE: a hand-edited page number shows a page, never an error.

    Anything that is not a whole number (or below 1) is page 1; past MAX_PAGE is MAX_PAGE
    (an empty page after the last one), so the OFFSET always fits the database.
    """
    args = request.args if args is None else args
    raw = str(args.get("page") or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)
