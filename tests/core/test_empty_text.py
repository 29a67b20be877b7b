"""An empty text cell is a missing value: allowed where the column may be empty, named otherwise."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
import pytest

import rfm


class _Notes(pa.DataFrameModel):
    name: str = pa.Field(str_length={"min_value": 1})
    note: str = pa.Field(str_matches=r"^[A-Z]", nullable=True)


SPEC = rfm.SchemaSpec(
    "notes",
    "a name and an optional note",
    (rfm.ColumnSpec("name", "text"), rfm.ColumnSpec("note", "text", nullable=True)),
    _Notes,
)


def table(rows: list[tuple[str, str]]) -> rfm.RawTable:
    frame = pl.DataFrame({"name": [r[0] for r in rows], "note": [r[1] for r in rows]})
    return rfm.RawTable(frame.with_columns((pl.int_range(pl.len()) + 2).alias("_row")), "notes.csv")


def test_an_empty_optional_text_cell_is_null_and_passes_its_checks():
    got = rfm.validate_table(table([("a", "Ok"), ("b", ""), ("c", "   ")]), SPEC)
    assert got["note"].to_list() == ["Ok", None, None]


def test_an_empty_required_text_cell_is_named():
    with pytest.raises(rfm.InputError, match=r"notes.csv, row 3, column 'name'"):
        rfm.validate_table(table([("a", "Ok"), ("", "Ok")]), SPEC)
