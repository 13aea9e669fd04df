"""CSV export of one analytics table, with the filters in its file name.

The table is already aggregated from the rollups (a row per bucket, station, chef...:
hundreds of rows for a year, not the millions of source rows), and the response streams
it a line at a time, so memory stays flat whatever the period.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response

from app.analytics.filters import Filters
from app.analytics.tables import Table, machine


def table_lines(table: Table) -> Iterator[str]:
    """Header of column labels, then raw values: dollars with cents, fractions, periods as dates."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def line(values: list[str]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(values)
        return out.getvalue()

    yield line([c.label + (" ($)" if c.kind == "money" else "") for c in table.columns])
    for row in table.rows:
        yield line([machine(row.get(c.key), c.kind) for c in table.columns])


def filename(page: str, table: Table, filters: Filters) -> str:
    """teppan-revenue-by_period-alpha-2026-01-01-to-2026-03-31.csv (slugs are URL-safe already)."""
    where = "all-stations" if filters.all_stations else filters.stations[0].slug
    return f"teppan-{page}-{table.key}-{where}-{filters.start.isoformat()}-to-{filters.end.isoformat()}.csv"


def response(page: str, table: Table, filters: Filters) -> Response:
    return Response(
        table_lines(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename(page, table, filters)}"'},
    )
