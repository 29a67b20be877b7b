"""Plain-text tables for the terminal: columns padded, numbers right-aligned.

Every cell passes :func:`rfm.safe_text.terminal_text`, so a name from data cannot carry an escape
sequence to the terminal. On a terminal narrower than the table, the widest text columns wrap
(``textwrap``, at word boundaries) so that no line runs past the edge; numbers never wrap.
Written to a file or a pipe, a table keeps one line per row.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from rfm.safe_text import terminal_text

MIN_TEXT = 12
"""A text column is not wrapped narrower than this."""


def terminal_width() -> int | None:
    """The terminal's width when stdout is one, else None (no wrapping)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((100, 24)).columns


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    right: Sequence[bool] | None = None,
    width: int | None = None,
) -> str:
    """A plain-text table: columns padded, numbers right-aligned, wrapped to ``width`` (by
    default the terminal's, when stdout is a terminal)."""
    cells = [
        [terminal_text(str(h)) for h in headers],
        *[["" if c is None else terminal_text(str(c)) for c in r] for r in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = list(right or [False] * len(headers))
    limit = width if width is not None else terminal_width()
    if limit is not None:
        widths = _fit(widths, right, limit)

    def lines(row: Sequence[str]) -> list[str]:
        parts = [
            textwrap.wrap(c, w, break_long_words=True) or [""] if len(c) > w else [c]
            for c, w in zip(row, widths, strict=True)
        ]
        height = max(len(p) for p in parts)
        return [
            "  ".join(
                (p[k] if k < len(p) else "").rjust(w)
                if r
                else (p[k] if k < len(p) else "").ljust(w)
                for p, w, r in zip(parts, widths, right, strict=True)
            ).rstrip()
            for k in range(height)
        ]

    out = [*lines(cells[0]), "  ".join("-" * w for w in widths)]
    for r in cells[1:]:
        out += lines(r)
    return "\n".join(out)


def _fit(widths: list[int], right: list[bool], limit: int) -> list[int]:
    """Narrow the widest text columns until the table fits ``limit`` (or cannot shrink)."""
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > limit:
        text = [i for i, w in enumerate(widths) if not right[i] and w > MIN_TEXT]
        if not text:
            break
        widest = max(text, key=lambda i: widths[i])
        excess = sum(widths) + 2 * (len(widths) - 1) - limit
        widths[widest] = max(MIN_TEXT, widths[widest] - excess)
    return widths
