"""Reading .xlsx workbooks: one sheet, header in its first row, every cell as text."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rfm.errors import UnreadableFileError
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
    frame = frame.with_columns(pl.all().cast(pl.String))
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW))
    # A cell Excel stores as the number 1234.5 arrives as the text "1234.5": decimal point.
    return RawTable(frame, name, decimal_comma=False)
