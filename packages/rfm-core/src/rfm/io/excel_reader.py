"""Reading .xlsx workbooks: one sheet, header in its first row, every cell as text."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

import polars as pl

from rfm.errors import InputError, Location, Problem, UnreadableFileError
from rfm.io.excel_formulas import column_index, scan_sheet, split_address
from rfm.io.table import ROW, RawTable


def read_excel(path: Path, *, name: str | None = None, sheet: str | None = None) -> RawTable:
    """Read one sheet (the first unless ``sheet`` names one) of an .xlsx file."""
    import fastexcel

    name = name or str(path)
    if not Path(path).is_file():
        raise UnreadableFileError(f"{name}: file not found")
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for every kind of bad file
        raise UnreadableFileError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    sheets = reader.sheet_names
    if sheet is not None and sheet not in sheets:
        raise UnreadableFileError(f"{name}: no sheet named {sheet!r}; sheets: {', '.join(sheets)}")
    try:
        loaded = reader.load_sheet(sheet if sheet is not None else 0, dtypes="string")
        frame = loaded.to_polars()
    except Exception as exc:
        raise UnreadableFileError(
            f"{name}: cannot read sheet {sheet or sheets[0]!r} ({exc})"
        ) from None
    text_cells = _scan(path, name, sheets.index(sheet) if sheet is not None else 0, frame.columns)
    frame = frame.with_columns(pl.all().cast(pl.String))
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW))
    # A cell Excel stores as the number 1234.5 arrives as the text "1234.5": decimal point. A
    # cell stored as text is marked: in a number column its point or comma is not trusted.
    return RawTable(frame, name, decimal_comma=False, text_cells=text_cells)


def _scan(path: Path, name: str, index: int, header: list[str]) -> frozenset[tuple[int, str]]:
    """Refuse a data sheet with formulas (their cached values may be stale, or 0); return the
    (row, column) of each cell stored as text."""
    problems = []
    text: set[tuple[int, str]] = set()
    try:
        for kind, address, formula in scan_sheet(path, index):
            letters, row = split_address(address)
            col = column_index(letters)
            column = header[col] if 0 <= col < len(header) else letters
            if kind == "text":
                text.add((row, column))
                continue
            problems.append(
                Problem(
                    Location(name, row, column),
                    "a value, not a formula (its cached result may be stale or 0): save the "
                    "sheet with values only (Klistra in special → Värden)",
                    formula,
                )
            )
            if len(problems) >= 50:
                break
    except (KeyError, zipfile.BadZipFile, ParseError) as exc:
        raise UnreadableFileError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    if problems:
        raise InputError(problems, title=f"{name}: holds formulas where rfm reads values")
    return frozenset(text)
