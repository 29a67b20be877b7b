"""The Polars path for unquoted CSV gives exactly what the csv-module path gives."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from rfm.errors import RfmError
from rfm.io import csv_reader

PIECES = ["a", "1", " ", ";", ",", "\t", "\n", "\r\n", "2,5", "", "å", "\xa0", "\x1c", "x y"]


def both(text: str) -> tuple[object, object]:
    sep = csv_reader.sniff_separator(text.lstrip("\r\n").splitlines()[0])
    results = []
    for read in (
        lambda: csv_reader._to_table(
            list(csv.reader(io.StringIO(text, newline=""), delimiter=sep)), "f.csv", sep, True
        ),
        lambda: csv_reader._unquoted_table(text, "f.csv", sep, True),
    ):
        try:
            results.append(read())
        except RfmError as exc:
            results.append(str(exc))
    return results[0], results[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_unquoted_text_reads_the_same_both_ways(text: str) -> None:
    if not text.strip():
        return
    slow, fast = both(text)
    if fast is None:  # the fast path declined (lone CR or a character it cannot judge)
        return
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
    else:
        assert_frame_equal(slow.frame, fast.frame)  # type: ignore[attr-defined]


def test_the_fast_path_is_taken_for_plain_files_and_declined_for_quotes() -> None:
    assert csv_reader._unquoted_table("a;b\n1;2\n", "f", ";", True) is not None
    assert csv_reader._unquoted_table('a;b\n"1";2\n', "f", ";", True) is None
    assert csv_reader._unquoted_table("a;b\r1;2\r", "f", ";", True) is None


def test_row_numbers_and_a_too_wide_row_match_the_file() -> None:
    slow, fast = both("area;count\n\n0665;1\n0665;2;3\n")
    assert isinstance(fast, str) and fast == slow
    assert "row 4" in fast and "at most 2 fields" in fast


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(-(10**12), 10**12).map(str),
            st.text(alphabet="0123456789.,-e+ \u2212\u00a0", max_size=8),
        ),
        min_size=1,
        max_size=20,
    ),
    st.booleans(),
)
def test_a_plain_cast_gives_what_the_number_parser_gives(cells: list[str], comma: bool) -> None:
    import polars as pl

    from rfm.io.numbers import integer_expr, number_expr
    from rfm.schemas import validate

    frame = pl.DataFrame({"x": cells}, schema={"x": pl.String})
    for kind, full in (("number", number_expr), ("int", integer_expr)):
        expected = frame.select(full("x", comma))["x"]
        if validate._is_plain(frame, "x", kind, comma):
            assert frame.select(validate._plain_number("x", kind))["x"].equals(expected)
