"""The CSV reader's fast paths give exactly what the csv-module path gives: lines split in
Polars (unquoted files), and Polars' own CSV reader (plain UTF-8 files)."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from rfm.errors import RfmError
from rfm.io import csv_reader

PIECES = [
    "a",
    "1",
    " ",
    ";",
    ",",
    "\t",
    "\n",
    "\r\n",
    "2,5",
    "",
    "å",
    "\xa0",
    "\x1c",
    "x y",
    "\x0b",
    "\x0c",
    "\u2003",
]


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
    polars_read = polars_path(text)
    if polars_read is not None:  # taken only where the careful path reads the file too
        assert not isinstance(slow, str), slow
        assert_frame_equal(slow.frame, polars_read.frame)  # type: ignore[attr-defined]
    if fast is None:  # the fast path declined (lone CR or a character it cannot judge)
        return
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
    else:
        assert_frame_equal(slow.frame, fast.frame)  # type: ignore[attr-defined]


def polars_path(text: str) -> csv_reader.RawTable | None:
    sep = csv_reader.sniff_separator(text.lstrip("\r\n").splitlines()[0])
    if not csv_reader._plain_text(text):
        return None
    raw = text.encode("utf-8")
    return csv_reader._polars_table(csv_reader._utf8_body(raw, text), "f.csv", sep, True)


def test_the_fast_path_is_taken_for_plain_files_and_declined_for_quotes() -> None:
    assert csv_reader._unquoted_table("a;b\n1;2\n", "f", ";", True) is not None
    assert csv_reader._unquoted_table('a;b\n"1";2\n', "f", ";", True) is None
    assert csv_reader._unquoted_table("a;b\r1;2\r", "f", ";", True) is None


def test_polars_reader_takes_plain_files_only() -> None:
    text = "area;year;count\r\nSödermalm;2024;1 234,5\r\nKista; 2024;\r\n"
    fast = polars_path(text)
    assert fast is not None
    assert fast.frame.rows() == [("Södermalm", "2024", "1 234,5", 2), ("Kista", " 2024", "", 3)]
    for declined in ("a;b\n\n1;2\n", "a;b\n1\n", "a;b\n1;2;3\n", 'a;b\n"1";2\n', "a;a\n1;2\n"):
        assert polars_path(declined) is None, declined


def test_a_latin1_file_is_not_read_as_utf8() -> None:
    text = "area;count\nMalmö;5\n"
    raw = text.encode("cp1252")
    decoded = csv_reader.decode(raw, "f.csv")
    assert decoded == text and csv_reader._utf8_body(raw, decoded) is None


def test_the_hash_is_of_the_bytes_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfarea,year\nA,2024\n")
    table = csv_reader.read_csv(path)
    assert table.sha256 == hashlib.sha256(b"\xef\xbb\xbfarea,year\nA,2024\n").hexdigest()
    assert table.frame.columns == ["area", "year", "_row"]


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


NUMBER_PIECES = ["1", "0", "9", ".", ",", " ", "\xa0", "\u2212", "-", "+", "e", "x", "\u2009"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(NUMBER_PIECES), max_size=6).map("".join), min_size=1),
    st.sampled_from(["int", "number"]),
)
def test_numbers_cast_as_they_stand_are_what_the_full_parser_gives(cells, kind) -> None:
    """A point file's numbers are first cast as they stand; that shortcut is taken only when
    every cell casts, and then gives exactly the full parser's values (or its refusals)."""
    import polars as pl

    from rfm.io.table import RawTable
    from rfm.schemas import validate

    frame = pl.DataFrame({"v": [c or None for c in cells]}, schema={"v": pl.String})
    raw = RawTable(frame, "f.csv", False)
    ours = validate._parsed_cells(frame, "v", kind, raw)
    plain = validate._is_plain(frame, "v", kind, False)
    expr = (
        validate._plain_number("v", kind)
        if plain
        else validate._parse("v", kind, False, pl.String(), False)
    )
    reference = frame.select(expr.alias("v")).to_series()
    assert ours.to_list() == reference.to_list()


def test_a_doubled_byte_order_mark_is_one_byte_order_mark_on_every_path(tmp_path) -> None:
    """A file saved twice with a byte-order mark: Polars' reader dropped the second one and the
    csv-module path kept it in the first column's name ('\\ufeffarea' → 'no column area'), and
    a file of two marks only was a traceback (Polars' NoDataError)."""
    import pytest

    from rfm.errors import UnreadableFileError

    bom = b"\xef\xbb\xbf"
    for body, quoted in ((b"area;count\r\nA;1\r\n", False), (b'area;count\r\n"A";1\r\n', True)):
        path = tmp_path / "f.csv"
        path.write_bytes(bom + bom + body)
        table = csv_reader.read_csv(path)
        assert table.frame.columns == ["area", "count", "_row"], quoted
        assert table.frame.rows() == [("A", "1", 2)]
        table = csv_reader.read_csv(path, encoding="utf-8")  # the mark read as text, once
        assert table.frame.columns == ["area", "count", "_row"], quoted
    path.write_bytes(bom + bom)
    with pytest.raises(UnreadableFileError, match="the file is empty"):
        csv_reader.read_csv(path)


def test_a_line_beginning_with_a_byte_order_mark_keeps_it_at_a_piece_boundary(
    monkeypatch,
) -> None:
    """The lines are split in pieces; Polars drops a mark at the start of its input, so a line
    that begins with one where a piece begins lost it there and kept it elsewhere."""
    text = "area;count\nA;1\n\ufeffB;2\nC;3\n"
    monkeypatch.setattr(csv_reader, "CHUNK_CHARS", 1)  # a piece begins at every line
    slow, fast = both(text)
    assert fast is None or fast.frame.equals(slow.frame)  # type: ignore[union-attr]
    assert slow.frame["area"].to_list() == ["A", "\ufeffB", "C"]  # type: ignore[union-attr]


def test_a_short_row_and_a_last_line_ending_in_a_separator_are_not_read_past(tmp_path) -> None:
    """Polars drops the empty field after a separator that ends the file (no line end), so a
    short row and such a last line kept the separator count of a rectangular file: the short
    row's cell became '' (not missing) and the too-wide last row was read without a word."""
    import pytest

    from rfm.errors import InputError

    text = "area;count;note\nA;5\nB;6;x;"
    assert polars_path(text) is None
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"f\.csv, row 3: found '4 fields'; expected at most 3"):
        csv_reader.read_csv(path, name="f.csv")
    path.write_text("area;count;note\nA;5\nB;6;", encoding="utf-8")  # as wide as the header
    assert csv_reader.read_csv(path).frame.rows() == [("A", "5", None, 2), ("B", "6", "", 3)]


def test_a_file_of_ascii_bytes_in_another_encoding_is_read_in_that_encoding(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """UTF-7 writes ä with ASCII bytes (+AOQ-): the bytes are not the text, so Polars, which
    reads bytes as UTF-8, must not read them."""
    text = "area;count\nSkärholmen;5\nÄlvsjö;6\n"
    for encoding in ("utf-7", "unicode_escape"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        table = csv_reader.read_csv(path, encoding=encoding)
        assert table.frame.rows() == [("Skärholmen", "5", 2), ("Älvsjö", "6", 3)], encoding


def test_a_blank_first_cell_is_found_through_the_smallest_first_cell() -> None:
    """In ASCII text the Polars path looks for a blank line only when the smallest first cell
    starts below "!" (white space and control characters do): first cells at and around that
    byte read as the csv-module path reads them, blank lines (of separators, spaces, tabs, CR)
    send the file to the line-by-line path, and the other files stay on Polars' reader."""
    import csv as csv_module

    kept = []
    for first in ("!", "!a", "#", "\x01x", "\x7f", " a", "\ta", "\x0bb", "0", "a b"):
        for ends in ("\n", "\r\n"):
            text = ends.join(["h;k", "b;1", f"{first};2", "c;3"]) + ends
            polars_read = polars_path(text)
            careful = csv_reader._to_table(
                list(csv_module.reader(io.StringIO(text, newline=""), delimiter=";")),
                "f.csv", ";", True,
            )  # fmt: skip
            if polars_read is not None:
                assert_frame_equal(careful.frame, polars_read.frame)
                kept.append(first)
    assert {"!", "!a", "#", "0", "a b", "\x7f"} <= set(kept)  # no blank line: Polars reads them
    for blank in (";", " ; ", "\t;", " ;\t", "\x0c;", "\x0b;"):
        for ends in ("\n", "\r\n"):
            text = ends.join(["h;k", "!;1", blank, "a;3"]) + ends
            assert polars_path(text) is None, repr(text)  # the careful path skips and counts it
    one_column = "h\n!\n \nb\n"
    assert polars_path(one_column) is None
