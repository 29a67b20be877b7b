"""Small inline SVG charts: no script, no fonts to fetch, readable printed or on screen.

Each chart is a string of SVG that goes straight into the HTML report. Numbers on the axes use
Swedish formatting (``1 234``) unless the caller formats them otherwise. Every chart carries a
``<title>`` for screen readers, and the report always prints the table behind it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

PALETTE = ("#1f5f8b", "#d1495b", "#2e8b57", "#edae49", "#6a4c93", "#00798c", "#8c564b", "#7f7f7f")


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
    width: int = 720,
    height: int = 320,
) -> str:
    """One line per series over ``x`` (years), with a legend."""
    left, right, top, bottom = 90, 250, 20, 40
    values = [v for vs in series.values() for v in vs]
    ticks = nice_ticks(min(0.0, *values), max(values) if values else 1.0)
    lo, hi = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + (plot_w * i / max(len(x) - 1, 1))

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [_open(width, height, title)]
    for t in ticks:
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{py(t):.1f}" y2="{py(t):.1f}" class="grid"/>'
            f'<text x="{left - 8}" y="{py(t) + 4:.1f}" text-anchor="end">{escape(fmt(t))}</text>'
        )
    for i, year in enumerate(x):
        parts.append(f'<text x="{px(i):.1f}" y="{height - 15}" text-anchor="middle">{year}</text>')
    for k, (name, vs) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vs))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        parts += [
            f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}">'
            f"<title>{escape(name)} {x[i]}: {escape(fmt(v))}</title></circle>"
            for i, v in enumerate(vs)
        ]
        ly = top + 16 + 20 * k
        parts.append(
            f'<rect x="{left + plot_w + 16}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + plot_w + 34}" y="{ly + 1}">{escape(_short(name, 34))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def diverging_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    fmt: Callable[[float], str],
    width: int = 720,
) -> str:
    """Horizontal bars left (negative) and right (positive) of zero, one per label."""
    bar, gap, left, right, top = 18, 6, 190, 20, 10
    height = top * 2 + len(labels) * (bar + gap) + 20
    span = max((abs(v) for v in values), default=1.0) or 1.0
    plot_w = width - left - right
    zero = left + plot_w / 2
    parts = [_open(width, height, title)]
    parts.append(f'<line x1="{zero}" x2="{zero}" y1="{top}" y2="{height - 20}" class="axis"/>')
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar + gap)
        w = (plot_w / 2 - 90) * abs(v) / span  # room for the value's label beside the bar
        x = zero if v >= 0 else zero - w
        colour = PALETTE[0] if v >= 0 else PALETTE[1]
        parts.append(
            f'<text x="{left - 8}" y="{y + bar - 5}" text-anchor="end">{escape(_short(label, 28))}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(fmt(v))}</title></rect>"
            f'<text x="{(x + w + 4) if v >= 0 else (x - 4):.1f}" y="{y + bar - 5}" '
            f'text-anchor="{"start" if v >= 0 else "end"}">{escape(fmt(v))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
