"""Small pieces every sheet of rfm's workbooks shares: formats, names, cell references.

Sheet names come from labels (data), so they are cleaned to letters, digits and plain
punctuation and cut to Excel's 31 UTF-16 units; texts xlsxwriter does not escape (table and page
headers, document properties) go through :func:`xml_text`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rfm.safe_text import terminal_text

KR = "#,##0"
DECIMAL = "#,##0.######"
MAX_SHEET_NAME = 31
RESERVED = ("Läs mig", "Sammanfattning", "Jämförelse", "Ramberäkning", "Parametrar", "Indata",
            "Avrundning")  # fmt: skip
HEAD = 3
"""The row (0-based) of the column headers on a model sheet."""


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` UTF-16 code units (Excel counts a 😀 as two)."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            break
        out.append(ch)
    return "".join(out)


def sheet_names(labels: Sequence[str]) -> dict[str, str]:
    """A valid, unique sheet name (≤ 31 characters, no ``[]:*?/\\``) for each label."""
    names: dict[str, str] = {}
    taken = {t.lower() for t in RESERVED}
    for label in labels:
        # Letters, digits and plain punctuation only: a sheet name is quoted inside formulas,
        # and one that looks like a formula or a DDE call should not even appear there.
        clean = re.sub(r"[^\w \-,.()&]", "_", label).lstrip("=+-@_ ").rstrip() or "Modell"
        # A space before "(": xlsxwriter rewrites "SORT(" and the like inside formulas, even
        # inside a quoted sheet name, which would break the reference.
        clean = re.sub(r"(?<=\S)\(", " (", clean)
        base = _cut(clean, MAX_SHEET_NAME).rstrip() or "Modell"
        name, n = base, 2
        while name.lower() in taken:
            suffix = f" ({n})"
            name, n = _cut(base, MAX_SHEET_NAME - len(suffix)) + suffix, n + 1
        taken.add(name.lower())
        names[label] = name
    return names


def xml_text(text: str) -> str:
    """Text for the places xlsxwriter does not escape (table headers, page headers, document
    properties): control characters shown as ``\\x1b``, and no character XML forbids."""
    return terminal_text(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def cell(row: int, col: int, absolute: bool = False) -> str:
    """``(4, 7)`` → ``"H5"`` (``"$H$5"`` when absolute)."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute))


def defined_name(key: str, year: int, taken: set[str]) -> str:
    """An Excel name for a dated value: ``ifo.uplift`` from 2023 → ``p_ifo_uplift_2023``."""
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_key).strip("_")[:200] or "parameter"
    name, n = f"p_{slug}_{year}", 2
    while name.lower() in taken:
        name, n = f"p_{slug}_{year}_{n}", n + 1
    taken.add(name.lower())
    return name
