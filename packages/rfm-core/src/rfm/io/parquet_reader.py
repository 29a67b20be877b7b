"""Reading Parquet files (typed; the fast format for large inputs).

A Parquet column may hold anything Arrow can: lists, structs, bytes, durations. rfm's schemas
read text, numbers, booleans and dates, so a column of another type is refused here, naming
the column and its type, rather than failing somewhere inside the validation.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rfm.errors import InputError, Location, Problem, UnreadableFileError
from rfm.files import check_regular_file
from rfm.io.table import ROW, RawTable


def _readable(dtype: pl.DataType) -> bool:
    """Text, a number, a boolean, a date or a time stamp (or a column of nulls)."""
    return dtype.is_numeric() or isinstance(
        dtype, pl.String | pl.Categorical | pl.Enum | pl.Boolean | pl.Null | pl.Date | pl.Datetime
    )


def read_parquet(path: Path, *, name: str | None = None) -> RawTable:
    """Read a Parquet file; row numbers count data rows from 1."""
    name = name or str(path)
    check_regular_file(Path(path), name)  # then read by path, so Polars can map it
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for corrupt files
        raise UnreadableFileError(f"{name}: not a readable Parquet file ({exc})") from None
    problems = [
        Problem(
            Location(name, 1, column),
            "text, numbers, true/false or dates (rfm reads no lists, structs, bytes or durations)",
            str(dtype),
        )
        for column, dtype in frame.schema.items()
        if not _readable(dtype)
    ]
    if problems:
        raise InputError(problems, title=f"{name}: columns of a type rfm cannot read")
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(ROW))
    return RawTable(frame, name, decimal_comma=False)
