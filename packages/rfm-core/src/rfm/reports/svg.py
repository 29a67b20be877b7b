"""Small inline SVG charts: no script, no fonts to fetch, readable printed, on a wide screen or a
phone.

Each chart is a string of SVG that goes straight into the HTML report. It scales with the page
(a ``viewBox`` and ``width: 100%``; no fixed size), its margins are computed from the longest
label it must show (so "1 500 000 000" on an axis is never clipped), and legends sit under the
plot with whole names, one per line. Every chart carries a ``<title>`` for screen readers, and
the report prints the table behind it. All text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

PALETTE = ("#1f5f8b", "#d1495b", "#2e8b57", "#edae49", "#6a4c93", "#00798c", "#8c564b", "#7f7f7f")
FONT = 13
"""Font size in viewBox units; the viewBoxes are narrow enough that it stays readable at 420 px."""
CHAR = 0.6 * FONT
"""A generous estimate of the width of one character (no font metrics in a file without script)."""


def text_width(text: str) -> float:
    """The estimated width of ``text`` at :data:`FONT`."""
    return len(text) * CHAR


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``–``high`` (1, 2, 2,5 or 5 × a power of ten apart)."""
    if high == low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), default=10 * power)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks


def line_chart(
    x: Sequence[int],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    fmt: Callable[[float], str],
    colours: Sequence[str] = PALETTE,
    width: int = 560,
    plot_height: int = 240,
) -> str:
    """One line per series over ``x`` (years); the legend under the plot."""
    values = [v for vs in series.values() for v in vs] or [0.0]
    ticks = nice_ticks(min(0.0, *values), max(*values, 1.0))
    lo, hi = ticks[0], ticks[-1]
    left = 12 + max(text_width(fmt(t)) for t in ticks)
    right, top = 16 + text_width(str(x[-1])) / 2 if x else 16, 14
    plot_w = width - left - right
    legend_top = top + plot_height + 36
    height = legend_top + 22 * len(series) + 4

    def px(i: int) -> float:
        return left + (plot_w * i / max(len(x) - 1, 1))

    def py(v: float) -> float:
        return top + plot_height * (1 - (v - lo) / (hi - lo))

    parts = [_open(width, height, title)]
    for t in ticks:
        parts.append(
            f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
            f'class="grid"/><text x="{left - 8:.1f}" y="{py(t) + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(t))}</text>"
        )
    every = max(1, math.ceil(len(x) * text_width("2030 ") / plot_w))
    for i, year in enumerate(x):
        if i % every == 0 or i == len(x) - 1:
            parts.append(
                f'<text x="{px(i):.1f}" y="{top + plot_height + 22}" text-anchor="middle">'
                f"{year}</text>"
            )
    for k, (name, vs) in enumerate(series.items()):
        colour = colours[k % len(colours)]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vs))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        parts += [
            f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}">'
            f"<title>{escape(name)} {x[i]}: {escape(fmt(v))}</title></circle>"
            for i, v in enumerate(vs)
        ]
        ly = legend_top + 22 * k
        parts.append(
            f'<rect x="{left:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 18:.1f}" y="{ly}">{escape(_fit(name, plot_w - 18))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def diverging_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    fmt: Callable[[float], str],
    colours: Sequence[str] = PALETTE,
    width: int = 480,
) -> str:
    """Horizontal bars, one per label, from a zero line placed by the data.

    Only positive values: the zero line is at the left; only negative: at the right; both: it
    divides the plot in proportion to the largest bar on each side, so no half stays empty.
    """
    bar, gap, top = 18, 7, 8
    label_w = min(max((text_width(t) for t in labels), default=0.0), width * 0.4)
    value_w = max((text_width(fmt(v)) for v in values), default=0.0) + 8
    left = label_w + 12
    plot_w = width - left - 8
    height = top * 2 + len(labels) * (bar + gap)
    pos = max((v for v in values if v > 0), default=0.0)
    neg = -min((v for v in values if v < 0), default=0.0)
    room_pos = value_w if pos else 0.0
    room_neg = value_w if neg else 0.0
    span = plot_w - room_pos - room_neg
    scale = span / (pos + neg) if pos + neg else 0.0
    zero = left + room_neg + neg * scale
    parts = [_open(width, height, title)]
    parts.append(
        f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top}" y2="{height - top}" class="axis"/>'
    )
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar + gap)
        w = abs(v) * scale
        x = zero if v >= 0 else zero - w
        colour = colours[0] if v >= 0 else colours[1 % len(colours)]
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + bar - 5}" text-anchor="end">'
            f"{escape(_fit(label, label_w))}</text>"
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(fmt(v))}</title></rect>"
            f'<text x="{(x + w + 4) if v >= 0 else (x - 4):.1f}" y="{y + bar - 5}" '
            f'text-anchor="{"start" if v >= 0 else "end"}">{escape(fmt(v))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _open(width: float, height: float, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" class="chart" role="img" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}" '
        f'style="font-size:{FONT}px;max-width:{width:.0f}px"><title>{escape(title)}</title>'
    )


def _fit(text: str, room: float) -> str:
    """``text`` shortened with an ellipsis only if it cannot fit ``room`` (the full name is in
    the table and in the element's title)."""
    limit = max(4, int(room / CHAR))
    return text if len(text) <= limit else text[: limit - 1] + "…"
