"""SVG charts: well-formed, CSP-clean, labelled, with tooltips and colour-blind-safe colours."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from app.analytics import charts
from app.analytics.tables import ChartSpec, Column, Table
from tests.analytics.dataset import ARGS
from tests.test_url_walk import INLINE_CODE

SVG = "{http://www.w3.org/2000/svg}"


def _table(kind: str, series: str | None = None) -> Table:
    rows = [
        {"bucket": "2026-01-01", "station": "Alpha & Co", "cents": 116000},
        {"bucket": "2026-02-01", "station": "Alpha & Co", "cents": 80000},
        {"bucket": "2026-01-01", "station": "Beta <b>", "cents": 99900},
    ]
    return Table(
        "t",
        "Booked value",
        [Column("bucket", "Period", "bucket"), Column("station", "Station", "text"), Column("cents", "Value", "money")],
        rows,
        chart=ChartSpec(kind, "bucket", ("cents",), series=series),
    )


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_chart_is_well_formed_svg_with_tooltips_and_no_style(kind):
    svg = str(charts.render(_table(kind, series="station")))
    root = ET.fromstring(svg)  # raises on malformed XML (and the names with & and < are escaped)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}" and root.get("width") == "100%"
    assert root.get("role") == "img" and root.get("aria-label") == "Booked value"
    assert not INLINE_CODE.search(svg) and "style" not in svg
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert "Jan 2026 · Alpha & Co: $1,160" in tips
    assert "Jan 2026 · Beta <b>: $999" in tips
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Period" in texts and "Jan 2026" in texts and "Feb 2026" in texts  # axis label and categories
    colours = set(re.findall(r'fill="(#[0-9A-F]{6})"', svg))
    assert {"#0072B2", "#E69F00"} <= colours  # Okabe-Ito, one per series


def test_missing_values_draw_nothing_and_empty_tables_no_chart():
    svg = str(charts.render(_table("bar", series="station")))
    assert svg.count("<rect") == 3 + 2  # three bars and two legend keys: Beta has no February
    empty = _table("bar")
    empty.rows = []
    assert str(charts.render(empty)) == ""


def test_nice_ticks():
    assert charts.nice_ticks(116000) == [0, 50000, 100000, 150000]
    assert charts.nice_ticks(0.66) == [0, 0.2, 0.4, 0.6000000000000001, 0.8]
    assert charts.nice_ticks(0) == [0, 1]


def test_pages_embed_charts_that_parse(as_role, dataset):
    html = (
        as_role("owner")
        .get("/s/alpha/analytics/operations", query_string={**ARGS, "scope": "all"})
        .get_data(as_text=True)
    )
    found = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(found) == 5
    for svg in found:
        ET.fromstring(svg)
