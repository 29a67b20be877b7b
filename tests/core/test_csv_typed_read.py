"""Number columns read as numbers by Polars' CSV parser give exactly what reading them as text
and parsing them in the schema gives: the same typed table, or the same error naming the same
cells. The hint only saves time."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from rfm.errors import RfmError
from rfm.io import csv_reader
from rfm.schemas.builtin import AREA_MAPPING, AREA_VARIABLES, POPULATION, STANDARD_COSTS
from rfm.schemas.spec import SchemaSpec
from rfm.schemas.validate import validate_table

CLEAN_NUMBERS = ["12", "12.5", "0.1", "-3", "+4", "1e3", ".5", "5.", " 7", "-0", "32.8852"]
ODD_NUMBERS = [
    "7 ",
    "\t8",
    "1 000",
    "1_000",
    "1,5",
    "",
    " ",
    "NaN",
    "inf",
    "2024.0",
    "x",
    "0x10",
    "١",
    "9223372036854775808",
    "1e400",
]
NUMBER = st.one_of(st.sampled_from(CLEAN_NUMBERS), st.sampled_from(ODD_NUMBERS))
TEXT_CELLS = ["A", "0114", "Kista", " B", "12"]


def read_both(path: Path, spec: SchemaSpec) -> tuple[object, object]:
    """The table (or the error) read with and without the column kinds."""
    results: list[object] = []
    for hint in (None, spec.kind_of):
        try:
            results.append(validate_table(csv_reader.read_csv(path, column_kinds=hint), spec))
        except RfmError as exc:
            results.append(str(exc))
    return results[0], results[1]


def assert_same(plain: object, typed: object) -> None:
    if isinstance(plain, str) or isinstance(typed, str):
        assert plain == typed
    else:
        assert isinstance(plain, pl.DataFrame) and isinstance(typed, pl.DataFrame)
        assert_frame_equal(plain, typed)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(TEXT_CELLS),
            st.sampled_from(["2023", "2024", " 2025", "2024", "2024.0", "", "20x4"]),
            NUMBER,
            NUMBER,
        ),
        min_size=1,
        max_size=6,
    ),
    line_end=st.sampled_from(["\n", "\r\n"]),
    blank_line=st.booleans(),
)
def test_a_typed_read_gives_what_the_text_read_gives(
    tmp_path_factory, rows, line_end, blank_line
) -> None:  # type: ignore[no-untyped-def]
    lines = ["area,year,barn,aldre", *(",".join(row) for row in rows)]
    if blank_line:
        lines.insert(2, "")
    path = tmp_path_factory.mktemp("typed") / "behov.csv"
    path.write_text(line_end.join(lines) + line_end, encoding="utf-8")
    plain, typed = read_both(path, AREA_VARIABLES)
    assert_same(plain, typed)


def test_the_number_columns_are_read_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "kostnad.csv"
    path.write_text("area,year,standard_cost\n0114,2024,61234.5\n0115,2024,59000\n")
    typed = csv_reader.read_csv(
        path, column_kinds={"area": "text", "year": "int", "standard_cost": "number"}.get
    )
    assert typed.frame.schema["year"] == pl.Int64
    assert typed.frame.schema["standard_cost"] == pl.Float64
    assert typed.frame["area"].to_list() == ["0114", "0115"]  # a code keeps its zeros
    assert typed.frame["_row"].to_list() == [2, 3]
    assert_same(*read_both(path, STANDARD_COSTS))


def test_an_empty_cell_is_named_as_before(tmp_path: Path) -> None:
    path = tmp_path / "befolkning.csv"
    path.write_text("area,year,age,count\n0114,2024,0,5\n0114,2024,1,\n")
    plain, typed = read_both(path, POPULATION)
    assert isinstance(typed, str) and "row 3" in typed and "count" in typed
    assert plain == typed


def test_a_whole_number_beyond_a_floats_is_read_as_before(tmp_path: Path) -> None:
    """A column of whole numbers with a cell the plain cast refuses (`` 2025``, leading space)
    is parsed through floats, which hold whole numbers exactly only up to 2**53: 2**53 + 1
    becomes 2**53 and 2**63 − 1 no number. Polars' parser reads both exactly, so such a column
    is read as text and gives what it always gave."""
    path = tmp_path / "mappning.csv"
    path.write_text(
        "area,recipient,from_year,to_year\nA,X,2025, 2030\nB,Y,2024,9223372036854775807\n"
    )
    plain, typed = read_both(path, AREA_MAPPING)
    assert isinstance(plain, str) and isinstance(typed, str)
    assert "row 3, column 'to_year': found '9223372036854775807'; expected a whole number" in plain
    assert plain == typed
    path.write_text("area,recipient,from_year,to_year\nA,X,2024, 9007199254740993\n")
    plain, typed = read_both(path, AREA_MAPPING)
    assert "found '9007199254740992'" in str(plain)  # as the float parse gave it (≤ 2200 fails)
    assert plain == typed
