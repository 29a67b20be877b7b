"""Text from data made harmless for each kind of output: outputs are data, never code.

Names in rfm's outputs come from files someone else may have written (a tenant file, a CSV, an
archive): a municipality called ``=HYPERLINK(...)``, a district called ``<script>``, a unit
whose name carries a terminal escape sequence. Each output neutralises them its own way:

* **CSV** (:func:`csv_cell`): a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return gets a leading apostrophe, as OWASP's *CSV Injection* guidance says; Excel
  and LibreOffice then show the text instead of running it as a formula. Only text columns are
  touched: a real negative number is a number column and stays a number.
* **xlsx**: every text goes through ``write_string`` (never ``write``), so a cell holds a formula
  only where rfm writes one with ``write_formula``.
* **HTML**: Jinja2 with autoescape, or :func:`html.escape`.
* **Markdown** (:func:`markdown_text`): ``<``, ``>`` and ``&`` as entities, and the characters
  that make Markdown syntax (``* _ [ ] ` | \\``) escaped with a backslash.
* **Terminal** (:func:`terminal_text`): C0 and C1 control characters (ESC, BEL, the OSC and CSI
  introducers, …) shown as ``\\x1b``-style escapes, so a name cannot move the cursor, retitle
  the window or write a hyperlink.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What may make a spreadsheet read a cell as a formula (OWASP, CSV Injection)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MARKDOWN = re.compile(r"([\\`*_\[\]|#~!{}])")


def csv_cell(text: str) -> str:
    """``"=1+1"`` → ``"'=1+1"``; other text unchanged."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with :func:`csv_cell` applied to every text column (numbers untouched)."""
    import polars as pl

    pattern = r"^[=+\-@\t\r]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    """Control characters as visible escapes: ``"\\x1b]0;x\\x07"`` → ``"\\\\x1b]0;x\\\\x07"``."""
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written: no tags, no emphasis, no links, no table breaks."""
    import html  # here: its table of entities costs every command's start 3 ms

    escaped = html.escape(" ".join(text.split()), quote=False)
    escaped = _MARKDOWN.sub(r"\\\1", escaped)
    # A leading "-" or "+" would start a list, "2024." a numbered one; ">" is an entity already.
    escaped = re.sub(r"^([-+])(\s)", r"\\\1\2", escaped)
    return re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", escaped)


def markdown_code(text: str) -> str:
    """Text for a fenced code block: a fence inside it cannot close the block."""
    return terminal_text(text, keep_newlines=True).replace("```", "`\u200b``")
