"""SVG charts: well-formed, CSP-clean, labelled, with tooltips and colour-blind-safe colours."""

from __future__ import annotations

import itertools
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


def _drawings(markup) -> list[ET.Element]:
    """The SVGs of a rendered chart: one for a laptop, one for a phone."""
    box = ET.fromstring(str(markup))  # raises on malformed XML (and the names with & and < are escaped)
    assert box.tag == "div" and box.get("class") == "analytics-chart-box"
    return list(box)


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_chart_is_well_formed_svg_with_tooltips_and_no_style(kind):
    markup = str(charts.render(_table(kind, series="station")))
    assert not INLINE_CODE.search(markup) and "style" not in markup
    drawings = _drawings(markup)
    sizes = {(c.width, c.height) for c in (charts.LAPTOP, charts.PHONE)}
    assert {tuple(int(n) for n in root.get("viewBox").split()[2:]) for root in drawings} == sizes
    for root in drawings:
        assert root.tag == f"{SVG}svg" and root.get("width") == "100%"
        assert root.get("role") == "img" and root.get("aria-label") == "Booked value"
        tips = [t.text for t in root.iter(f"{SVG}title")]
        assert "Jan 2026 · Alpha & Co: $1,160" in tips
        assert "Jan 2026 · Beta <b>: $999" in tips
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert "Period" in texts and "Jan 2026" in texts and "Feb 2026" in texts  # axis label and categories
    colours = set(re.findall(r'fill="(#[0-9A-F]{6})"', markup))
    assert {"#0072B2", "#E69F00"} <= colours  # Okabe-Ito, one per series


def test_missing_values_draw_nothing_and_empty_tables_no_chart():
    svg = str(charts.render(_table("bar", series="station")))
    assert svg.count("<rect") == 2 * (3 + 2)  # per drawing, three bars and two legend keys: Beta has no February
    empty = _table("bar")
    empty.rows = []
    assert str(charts.render(empty)) == ""


def _menu_table(count: int, name_length: int) -> Table:
    rows = [{"item": f"Item {i:02d} " + "x" * name_length, "portions": i + 1} for i in range(count)]
    return Table(
        "m",
        "Upgrades",
        [Column("item", "Item", "text"), Column("portions", "Portions", "int")],
        rows,
        chart=ChartSpec("bar", "item", ("portions",)),
    )


@pytest.mark.parametrize("count", [3, 7, 30])
def test_category_labels_never_overlap_and_stay_inside(count):
    for root in _drawings(charts.render(_menu_table(count, name_length=12))):
        width = float(root.get("viewBox").split()[2])
        feet = []
        for text in root.iter(f"{SVG}text"):
            if text.get("transform") or (text.get("text-anchor") == "middle" and text.text.startswith("Item ")):
                feet.append((float(text.get("x")), text))
        feet.sort(key=lambda pair: pair[0])
        assert feet, "no category labels"
        for (x1, first), (x2, _) in itertools.pairwise(feet):
            if first.get("transform"):  # slanted: neighbours a line apart
                assert (x2 - x1) * 0.57 >= charts.FONT_SIZE + 2
            else:  # level: each label fits its slot
                assert len(first.text) * charts.CHAR_WIDTH <= x2 - x1
        assert all(0 <= x <= width for x, _ in feet)


def test_tick_labels_never_repeat_and_counts_step_by_whole_numbers():
    assert charts.tick_labels([0, 50, 100, 150], "money", "USD") == ["$0.0", "$0.5", "$1.0", "$1.5"]
    assert charts.tick_labels([0, 0.005, 0.01, 0.015], "pct", "USD") == ["0.0%", "0.5%", "1.0%", "1.5%"]
    assert charts.tick_labels([0, 1_250_000, 2_500_000], "money", "USD") == ["$0.0", "$12.5k", "$25.0k"]
    assert charts.tick_labels([0, 5_000_000, 10_000_000], "money", "USD") == ["$0", "$50k", "$100k"]
    assert charts.tick_labels([0, 25, 50], "int", "USD") == ["0", "25", "50"]
    assert charts.nice_ticks(2, whole=True) == [0, 1, 2]


def test_the_legend_wraps_inside_the_chart():
    rows = [{"bucket": "2026-01-01", "channel": f"A rather long channel name {i}", "n": i + 1} for i in range(6)]
    table = Table(
        "c",
        "By channel",
        [Column("bucket", "Period", "bucket"), Column("channel", "Channel", "text"), Column("n", "Messages", "int")],
        rows,
        chart=ChartSpec("bar", "bucket", ("n",), series="channel"),
    )
    for root in _drawings(charts.render(table)):
        width = float(root.get("viewBox").split()[2])
        keys = [r for r in root.iter(f"{SVG}rect") if r.get("width") == "10"]
        assert len(keys) == 6
        names = {(float(t.get("x")), float(t.get("y"))): t.text for t in root.iter(f"{SVG}text")}
        rows = set()
        for key in keys:
            x, y = float(key.get("x")), float(key.get("y"))
            name = names[(x + 14, y + 9)]
            assert x + 14 + charts.CHAR_WIDTH * len(name) <= width  # inside, not cut at the edge
            rows.add(y)
        plot = root.find(f"{SVG}g")
        shift = float(plot.get("transform").split()[1].rstrip(")"))
        assert max(rows) + 10 < charts.TOP - 8 + shift  # above the plot (moved down) and its axis title
        assert float(root.get("viewBox").split()[3]) == charts.PHONE.height + shift


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
    assert len(found) == 2 * 5  # five charts, each drawn for a laptop and a phone
    for svg in found:
        ET.fromstring(svg)
