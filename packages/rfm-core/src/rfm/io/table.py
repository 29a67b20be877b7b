"""A table as read from a file: every cell as text, with the file row each line came from.

Readers return a :class:`RawTable` whose columns are all strings (or, for typed formats such as
Parquet, already typed), plus a ``_row`` column holding the row number a person would see when
opening the file (the header is row 1 of a CSV). Schemas then turn text into numbers and report
each failure with its file, row and column.
"""

from __future__ import annotations

import attrs
import polars as pl

ROW = "_row"


@attrs.frozen
class RawTable:
    """A frame read from ``file``, its ``_row`` column locating each row in that file."""

    frame: pl.DataFrame
    file: str
    decimal_comma: bool = False

    def renamed(self, mapping: dict[str, str]) -> RawTable:
        """The same table with columns renamed ``{name in file: name rfm expects}``."""
        missing = [c for c in mapping if c not in self.frame.columns]
        if missing:
            from rfm.errors import InputError, Location, Problem

            raise InputError(
                [
                    Problem(Location(self.file, 1, c), "a column of that name (from 'columns')")
                    for c in missing
                ],
                title=f"{self.file}: columns to rename are missing",
            )
        return attrs.evolve(self, frame=self.frame.rename(mapping))
