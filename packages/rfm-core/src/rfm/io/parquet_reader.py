"""Reading Parquet files (typed; the fast format for large inputs)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rfm.errors import UnreadableFileError
from rfm.io.table import ROW, RawTable


def read_parquet(path: Path, *, name: str | None = None) -> RawTable:
    """Read a Parquet file; row numbers count data rows from 1."""
    name = name or str(path)
    if not Path(path).is_file():
        raise UnreadableFileError(f"{name}: file not found")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for corrupt files
        raise UnreadableFileError(f"{name}: not a readable Parquet file ({exc})") from None
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(ROW))
    return RawTable(frame, name, decimal_comma=False)
