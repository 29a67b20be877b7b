"""A schema's native pass (SchemaSpec.passes) stands in for pandera: it may say True only where
pandera finds nothing, and when it says False pandera names every failing row and column."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rfm
from rfm.errors import InputError
from rfm.io.table import ROW, RawTable
from rfm.schemas import builtin
from rfm.schemas.validate import _pandera_problems, validate_table

WITH_PASSES = [s for s in builtin.BUILTIN_SCHEMAS if s.passes is not None]

VALUES = {
    "text": st.sampled_from(["0665", "0680", "9999", "A", "Södermalm", "x"]),
    "age": st.sampled_from(["5", "85", "90+", "80-89", "89-80", "80-w", "131", "0-130", "abc"]),
    "sex": st.sampled_from(["m", "k", "totalt", None]),
    "int": st.sampled_from([1899, 1900, 2024, 2200, 2201, None]),
    "number": st.sampled_from([-1.0, -0.0, 0.0, 1.5, 1e300, None]),
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(WITH_PASSES), st.data())
def test_a_native_pass_holds_only_where_pandera_finds_nothing(spec, data):
    """On typed frames as rfm parses them (every required column, its dtype, no missing value
    where none may be): pass ⇒ pandera finds no problem."""
    rows = data.draw(st.integers(1, 6))
    columns = {}
    for column in spec.columns:
        values = data.draw(st.lists(VALUES[column.kind], min_size=rows, max_size=rows))
        if not column.nullable:
            values = [v if v is not None else VALUES_DEFAULT[column.kind] for v in values]
        dtype = {"int": pl.Int64, "number": pl.Float64}.get(column.kind, pl.String)
        columns[column.name] = pl.Series(column.name, values, dtype=dtype)
    frame = pl.DataFrame(list(columns.values())).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW)
    )
    if spec.passes(frame):
        assert _pandera_problems(frame, spec, "f.csv") == []


VALUES_DEFAULT = {"text": "A", "age": "5", "sex": "m", "int": 2024, "number": 1.0}


POPULATION_ROW = {"area": ["0665"], "year": [2024], "age": ["5"], "count": [1.0]}
TYPES = {"area": pl.String, "year": pl.Int64, "age": pl.String, "count": pl.Float64}


@pytest.mark.parametrize(
    ("change", "schema", "named"),
    [
        ({"year": [2024.5]}, {"year": pl.Float64}, "column 'year'"),
        ({"year": ["2024"]}, {"year": pl.String}, "column 'year'"),
        ({"count": ["-1"]}, {"count": pl.String}, "column 'count'"),
        ({"area": [""]}, {}, "row 1, column 'area'"),
        ({"area": [None]}, {}, "row 1, column 'area'"),
        ({"count": [math.nan]}, {}, "row 1, column 'count'"),
        ({"age": [None]}, {}, "row 1, column 'age'"),
    ],
)
def test_a_frame_built_in_memory_is_not_waved_through_by_the_native_pass(change, schema, named):
    """rfm.validate_frame (a plugin's own frame): the native pass judged a fractional year, an
    empty or missing area, a NaN count and a missing age as fine, where pandera
    refuses each; a year or count held as text was a Polars ComputeError traceback."""
    frame = pl.DataFrame(POPULATION_ROW | change, schema=TYPES | schema)
    with pytest.raises(InputError) as caught:
        rfm.validate_frame(frame, builtin.POPULATION, "befolkning")
    assert named in str(caught.value), str(caught.value)


def test_a_frame_without_a_required_column_is_one_clear_error():
    """The native pass and the frame checks looked the column up: a ColumnNotFoundError."""
    frame = pl.DataFrame({"area": ["0665"], "year": [2024], "count": [1.0]})
    with pytest.raises(InputError, match=r"befolkning.*'age'"):
        rfm.validate_frame(frame, builtin.POPULATION, "befolkning")


def test_a_good_frame_built_in_memory_passes():
    frame = pl.DataFrame(POPULATION_ROW, schema=TYPES)
    assert rfm.validate_frame(frame, builtin.POPULATION, "befolkning").equals(frame)


def test_a_failing_file_has_every_problem_named_with_its_row_and_column():
    """The native pass fails, so pandera runs (imported then) and names each failing cell."""
    cells = {
        "area": ["0665", "0665", "0666", "0665", "0665"],
        "year": ["2024", "1850", "2024", "2024", "2024"],
        "age": ["80", "81", "82", "95-90", "84"],
        "count": ["1", "2", "3", "4", "-5"],
    }
    frame = pl.DataFrame(cells).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW)
    )
    with pytest.raises(InputError) as caught:
        validate_table(RawTable(frame, "b.csv", False), builtin.MUNICIPAL_POPULATION)
    text = str(caught.value)
    for expected in (
        "b.csv, row 3, column 'year': found '1850'; expected a value ≥ 1900",
        "b.csv, row 4, column 'area': found '0666'",
        "b.csv, row 5",  # the age group that ends before it starts
        "b.csv, row 6, column 'count': found '-5.0'; expected a value ≥ 0",
    ):
        assert expected in text, text
