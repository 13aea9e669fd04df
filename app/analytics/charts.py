"""Server-side SVG charts (bar and line) drawn from a table.

- Colours: the Okabe-Ito palette, distinguishable with the common colour-vision
  deficiencies; lines also get markers, so a series never depends on colour alone.
- Phones: a viewBox and width="100%" scale the chart to the screen; labels thin out
  when there are many categories. The table under each chart has every number.
- CSP: presentation attributes only (fill=, stroke=, font-size=), no style attribute,
  no script; each bar or point carries a <title> that browsers show as a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.analytics.tables import Table, bucket_label, display

# Okabe & Ito (2008), ordered so that the first colours contrast best on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MAX_SERIES = len(PALETTE)
WIDTH, HEIGHT = 480, 270
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 44, 46
FONT = 'font-family="system-ui, sans-serif"'
TEXT_COLOUR = "#374151"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps up to at least `top` (1, 2, 2.5 or 5 times a power of ten)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [step * i for i in range(0, math.ceil(top / step - 1e-9) + 1)]


def series_of(table: Table, grain: str) -> tuple[list[str], list[Series], str]:
    """Categories (x), series and the value kind of a table's chart."""
    spec = table.chart
    keys: list[str] = []
    for row in table.rows:
        if row.get(spec.x) not in keys:
            keys.append(row.get(spec.x))
    x_kind = table.column(spec.x).kind
    labels = [bucket_label(k, grain) if x_kind == "bucket" else str(k) for k in keys]
    value_kind = table.column(spec.values[0]).kind
    if spec.series:
        totals: dict[str, float] = {}
        for row in table.rows:
            totals[row[spec.series]] = totals.get(row[spec.series], 0) + (row.get(spec.values[0]) or 0)
        names = sorted(totals, key=lambda n: -totals[n])[:MAX_SERIES]
        index = {k: i for i, k in enumerate(keys)}
        series = {name: [None] * len(keys) for name in names}
        for row in table.rows:
            if row[spec.series] in series:
                series[row[spec.series]][index[row.get(spec.x)]] = row.get(spec.values[0])
        return labels, [Series(str(n), series[n]) for n in names], value_kind
    # One category per row here (two stations may both have a chef called Sam).
    labels = [
        bucket_label(row.get(spec.x), grain) if x_kind == "bucket" else str(row.get(spec.x)) for row in table.rows
    ]
    by_value = [Series(table.column(v).label, [row.get(v) for row in table.rows]) for v in spec.values]
    return labels, by_value, value_kind


def render(table: Table, grain: str = "month", currency: str = "USD") -> Markup:
    if table.chart is None or not table.rows:
        return Markup("")
    labels, series, kind = series_of(table, grain)
    title = table.chart.title or table.title
    if len(table.chart.values) == 1:
        y_label = table.column(table.chart.values[0]).label
    else:  # several columns drawn: the legend names them, the axis gives the unit
        y_label = {"minutes": "Minutes", "pct": "Share", "money": "US dollars", "decimal": ""}.get(kind, "Count")
    draw = line_chart if table.chart.kind == "line" else bar_chart
    return draw(
        title, labels, series, kind, currency=currency, y_label=y_label, x_label=table.column(table.chart.x).label
    )


def _frame(title: str, top: float, kind: str, currency: str, x_label: str, y_label: str) -> tuple[list[str], float]:
    ticks = nice_ticks(top)
    ceiling = ticks[-1] or 1
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="analytics-chart" {FONT} font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        y = TOP + plot_h - tick / ceiling * plot_h
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(_short(tick, kind, currency))}</text>"
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#9ca3af"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#9ca3af"/>')
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 4}" text-anchor="middle" fill="{TEXT_COLOUR}">'
        f"{escape(x_label)}</text>"
    )
    if y_label:  # above the axis, not rotated beside it: the tick labels need that room on a phone
        parts.append(
            f'<text x="{LEFT - 6}" y="{TOP - 8}" text-anchor="start" fill="{TEXT_COLOUR}">{escape(y_label)}</text>'
        )
    return parts, ceiling


def _short(value: float, kind: str, currency: str) -> str:
    """Axis labels: short forms ($12k, 40%)."""
    if kind == "pct":
        return f"{value * 100:.0f}%"
    if kind == "money":
        dollars = value / 100
        return f"${dollars / 1000:.0f}k" if dollars >= 10_000 else f"${dollars:,.0f}"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def _legend(series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    parts, x = [], LEFT
    for i, s in enumerate(series):
        colour = PALETTE[i % MAX_SERIES]
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="17" fill="{TEXT_COLOUR}">{escape(s.name[:18])}</text>')
        x += 24 + 7 * min(len(s.name), 18)
    return parts


def _x_labels(labels: Sequence[str], centre_of) -> list[str]:
    every = max(1, math.ceil(len(labels) / 8))  # at most ~8 labels: readable on a phone
    parts = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        parts.append(
            f'<text x="{centre_of(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">{escape(label[:14])}</text>'
        )
    return parts


def _top(series: Sequence[Series]) -> float:
    return max((v for s in series for v in s.values if v is not None), default=0)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    kind: str,
    *,
    currency: str = "USD",
    x_label: str = "",
    y_label: str = "",
) -> Markup:
    parts, ceiling = _frame(title, _top(series), kind, currency, x_label, y_label)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    for i, label in enumerate(labels):
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            height = max(value, 0) / ceiling * plot_h
            x = LEFT + i * group_w + group_w * 0.1 + j * bar_w
            tip = f"{label} · {s.name}: {display(value, kind, currency)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[j % MAX_SERIES]}"><title>{escape(tip)}</title></rect>'
            )
    parts += _x_labels(labels, lambda i: LEFT + (i + 0.5) * group_w)
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))


MARKERS = ("circle", "square", "diamond", "triangle")


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>"
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}">{title}</rect>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} {x - 4.5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{title}</polygon>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{title}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">{title}</circle>'


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    kind: str,
    *,
    currency: str = "USD",
    x_label: str = "",
    y_label: str = "",
) -> Markup:
    parts, ceiling = _frame(title, _top(series), kind, currency, x_label, y_label)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)

    def x_of(i: int) -> float:
        return LEFT + (i + 0.5) * step

    for j, s in enumerate(series):
        colour = PALETTE[j % MAX_SERIES]
        points = [
            (x_of(i), TOP + plot_h - max(v, 0) / ceiling * plot_h, i) for i, v in enumerate(s.values) if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y, i in points:
            tip = f"{labels[i]} · {s.name}: {display(s.values[i], kind, currency)}"
            parts.append(_marker(MARKERS[j % len(MARKERS)], x, y, colour, tip))
    parts += _x_labels(labels, x_of)
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))
