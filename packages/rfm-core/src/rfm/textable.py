"""Plain-text tables for the terminal: columns padded, numbers right-aligned.

Every cell passes :func:`rfm.safe_text.terminal_text`, so a name from data cannot carry an escape
sequence to the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rfm.safe_text import terminal_text


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool] | None = None
) -> str:
    """A plain-text table: columns padded, numbers right-aligned."""
    cells = [
        [terminal_text(str(h)) for h in headers],
        *[["" if c is None else terminal_text(str(c)) for c in r] for r in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = right or [False] * len(headers)

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right, strict=True)
        ).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)
