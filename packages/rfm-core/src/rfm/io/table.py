"""A table as read from a file: every cell as text, with the file row each line came from.

Readers return a :class:`RawTable` whose columns are all strings (or, for typed formats such as
Parquet, already typed), plus a ``_row`` column holding the row number a person would see when
opening the file (the header is row 1 of a CSV). Schemas then turn text into numbers and report
each failure with its file, row and column.
"""

from __future__ import annotations

import attrs
import polars as pl

from rfm.errors import InputError, Location, Problem

ROW = "_row"


@attrs.frozen
class RawTable:
    """A frame read from ``file``, its ``_row`` column locating each row in that file."""

    frame: pl.DataFrame
    file: str
    decimal_comma: bool = False
    thousands_point: bool = False
    """With a decimal comma: the file says a point separates thousands (``1.234,5``)."""
    text_cells: frozenset[tuple[int, str]] = frozenset()
    """(row, column) of cells a workbook stores as text, not as numbers."""
    sha256: str | None = None
    """The SHA-256 of the bytes the table was read from, when the reader hashed them: then the
    hash a run records is of exactly what was read (the file read once, not again to hash)."""

    def renamed(self, mapping: dict[str, str]) -> RawTable:
        """The same table with columns renamed ``{name in file: name rfm expects}``."""
        problems = [
            Problem(Location(self.file, 1, old), "a column of that name to rename")
            for old in mapping
            if old not in self.frame.columns
        ] + [
            Problem(Location(self.file, 1, new), f"no column of that name (renaming {old!r} to it)")
            for old, new in mapping.items()
            if new in self.frame.columns and new not in mapping
        ]
        if problems:
            raise InputError(problems, title=f"{self.file}: cannot rename columns")
        text = frozenset((row, mapping.get(column, column)) for row, column in self.text_cells)
        return attrs.evolve(self, frame=self.frame.rename(mapping), text_cells=text)
