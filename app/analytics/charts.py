"""Server-side SVG charts (bar and line) drawn from a table.

- Colours: the Okabe-Ito palette, distinguishable with the common colour-vision
  deficiencies; lines also get markers, so a series never depends on colour alone.
- Laptops and phones: each chart is drawn twice (a wide and a narrow canvas, CSS shows
  one), so its text is 12px on both. Category labels that would collide are slanted and
  thinned out, tick labels never repeat, the legend wraps inside the chart. The table
  under each chart has every number.
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
LEFT, RIGHT, TOP = 56, 12, 44
FONT = 'font-family="system-ui, sans-serif"'
FONT_SIZE = 12
CHAR_WIDTH = 7  # a 12px system-ui character, on average, with a little room
TEXT_COLOUR = "#374151"


@dataclass(frozen=True)
class Canvas:
    """A drawing size. Each chart is drawn twice, wide for a laptop and narrow for a phone,
    so that its text is 12px on both (one viewBox scaled to both would be huge or tiny)."""

    name: str
    width: int
    height: int

    @property
    def plot_w(self) -> float:
        return self.width - LEFT - RIGHT


LAPTOP = Canvas("wide", 900, 300)
PHONE = Canvas("narrow", 360, 300)
# The plain sizes, for callers that draw one chart (a phone-sized one).
WIDTH, HEIGHT = PHONE.width, PHONE.height


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


def nice_ticks(top: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """0 and round steps up to at least `top` (1, 2, 2.5 or 5 times a power of ten).

    `whole`: counts step by whole numbers (no "0.5 bookings" tick)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, math.ceil(step))
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
    """The chart of `table`, drawn for a laptop and for a phone (CSS shows one of them)."""
    if table.chart is None or not table.rows:
        return Markup("")
    labels, series, kind = series_of(table, grain)
    title = table.chart.title or table.title
    if len(table.chart.values) == 1:
        y_label = table.column(table.chart.values[0]).label
    else:  # several columns drawn: the legend names them, the axis gives the unit
        y_label = {"minutes": "Minutes", "pct": "Share", "money": "US dollars", "decimal": ""}.get(kind, "Count")
    draw = line_chart if table.chart.kind == "line" else bar_chart
    x_label = table.column(table.chart.x).label
    drawn = [
        draw(title, labels, series, kind, currency=currency, y_label=y_label, x_label=x_label, canvas=canvas)
        for canvas in (LAPTOP, PHONE)
    ]
    return Markup('<div class="analytics-chart-box">') + Markup("").join(drawn) + Markup("</div>")


def _frame(
    title: str,
    top: float,
    kind: str,
    currency: str,
    x_label: str,
    y_label: str,
    canvas: Canvas,
    bottom: float,
    legend_extra: float,
) -> tuple[list[str], float]:
    """The SVG's start, grid, ticks and axis titles; the plot sits `legend_extra` lower when
    the legend needs more than its one row (the caller closes the <g> and adds the legend)."""
    ticks = nice_ticks(top, whole=kind in ("int", "minutes"))
    ceiling = ticks[-1] or 1
    plot_h = canvas.height - TOP - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {canvas.width} {canvas.height + legend_extra:g}" '
        'width="100%" '
        f'role="img" aria-label="{escape(title)}" class="analytics-chart chart-{canvas.name}" {FONT} '
        f'font-size="{FONT_SIZE}">',
        f"<title>{escape(title)}</title>",
        f'<g transform="translate(0 {legend_extra:g})">',
    ]
    for tick, label in zip(ticks, tick_labels(ticks, kind, currency), strict=True):
        y = TOP + plot_h - tick / ceiling * plot_h
        parts.append(f'<line x1="{LEFT}" x2="{canvas.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#9ca3af"/>')
    parts.append(
        f'<line x1="{LEFT}" x2="{canvas.width - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#9ca3af"/>'
    )
    parts.append(
        f'<text x="{(LEFT + canvas.width - RIGHT) / 2}" y="{canvas.height - 4}" text-anchor="middle" '
        f'fill="{TEXT_COLOUR}">{escape(x_label)}</text>'
    )
    if y_label:  # above the axis, not rotated beside it: the tick labels need that room on a phone
        parts.append(
            f'<text x="{LEFT - 6}" y="{TOP - 8}" text-anchor="start" fill="{TEXT_COLOUR}">{escape(y_label)}</text>'
        )
    return parts, ceiling


def tick_labels(ticks: Sequence[float], kind: str, currency: str) -> list[str]:
    """Axis labels in short forms ($12.5k, 40%), with as few decimals as show every tick exactly
    (so no two read the same: not "$0, $1, $1, $2" for steps of 50 cents)."""
    shown = [_scaled(tick, kind) for tick in ticks]
    decimals = next((d for d in range(4) if all(abs(round(n, d) - n) < 1e-9 for n, _ in shown)), 3)
    return [f"{prefix}{number:,.{decimals}f}{suffix}" for number, (prefix, suffix) in shown]


def _scaled(value: float, kind: str) -> tuple[float, tuple[str, str]]:
    """The number an axis label shows for `value`, and what goes before and after it."""
    if kind == "pct":
        return value * 100, ("", "%")
    if kind == "money":
        dollars = value / 100
        return (dollars / 1000, ("$", "k")) if dollars >= 10_000 else (dollars, ("$", ""))
    if value >= 10_000:
        return value / 1000, ("", "k")
    return value, ("", "")


def _legend(series: Sequence[Series], canvas: Canvas) -> tuple[list[str], float]:
    """Colour keys above the plot, wrapping to more rows rather than running off the edge;
    also how much lower the plot goes to make room for the rows after the first."""
    if len(series) < 2:
        return [], 0
    parts, x, y = [], LEFT, 8
    for i, s in enumerate(series):
        name = _abbreviate(s.name, 18)
        width = 24 + CHAR_WIDTH * len(name)
        if x + width > canvas.width - RIGHT and x > LEFT:
            x, y = LEFT, y + 15
        colour = PALETTE[i % MAX_SERIES]
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + 9}" fill="{TEXT_COLOUR}">{escape(name)}</text>')
        x += width
    return parts, y - 8


def _abbreviate(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


@dataclass(frozen=True)
class XAxis:
    """How the category labels fit: every `every`-th label, cut to `chars`, turned when crowded."""

    every: int
    chars: int
    turned: bool

    @property
    def bottom(self) -> float:
        """Room under the plot: the labels (slanted ones need more) and the axis title."""
        return 26 + (math.ceil(self.chars * CHAR_WIDTH * 0.6) if self.turned else 10)


def x_axis(labels: Sequence[str], canvas: Canvas) -> XAxis:
    slot = canvas.plot_w / max(len(labels), 1)
    longest = min(max((len(label) for label in labels), default=1), 14)
    if longest * CHAR_WIDTH <= slot - 4:
        return XAxis(1, longest, False)
    # Slanted at 35°, neighbours stay a line apart when their feet are 14 / sin 35° apart.
    every = max(1, math.ceil((FONT_SIZE + 2) / 0.57 / slot))
    return XAxis(every, min(longest, 10), True)


def _x_labels(labels: Sequence[str], centre_of, axis: XAxis, canvas: Canvas) -> list[str]:
    parts = []
    y = canvas.height - axis.bottom + (12 if axis.turned else 16)
    for i, label in enumerate(labels):
        if i % axis.every:
            continue
        text = escape(_abbreviate(label, axis.chars))
        x = centre_of(i)
        if axis.turned:
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end" transform="rotate(-35 {x:.1f} {y:.1f})" '
                f'fill="{TEXT_COLOUR}"><title>{escape(label)}</title>{text}</text>'
            )
        else:
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="{TEXT_COLOUR}">{text}</text>')
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
    canvas: Canvas = PHONE,
) -> Markup:
    axis = x_axis(labels, canvas)
    legend, extra = _legend(series, canvas)
    parts, ceiling = _frame(title, _top(series), kind, currency, x_label, y_label, canvas, axis.bottom, extra)
    plot_w, plot_h = canvas.plot_w, canvas.height - TOP - axis.bottom
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
    parts += _x_labels(labels, lambda i: LEFT + (i + 0.5) * group_w, axis, canvas)
    parts.append("</g>")
    parts += legend
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
    canvas: Canvas = PHONE,
) -> Markup:
    axis = x_axis(labels, canvas)
    legend, extra = _legend(series, canvas)
    parts, ceiling = _frame(title, _top(series), kind, currency, x_label, y_label, canvas, axis.bottom, extra)
    plot_w, plot_h = canvas.plot_w, canvas.height - TOP - axis.bottom
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
    parts += _x_labels(labels, x_of, axis, canvas)
    parts.append("</g>")
    parts += legend
    parts.append("</svg>")
    return Markup("".join(parts))
