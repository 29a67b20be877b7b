"""Reading CSV files, including the Swedish variants municipalities actually send.

What arrives in practice: Excel's "CSV (semikolonavgränsad)" in Windows-1252/Latin-1 with decimal
commas; SCB's PxWeb exports (Latin-1, quoted, comma-separated); UTF-8 with a byte-order mark and
CRLF line ends; numbers with spaces between thousands. This reader detects the encoding and the
separator, keeps every cell as text, and leaves number parsing to the schema (which knows which
columns are numbers and reports each bad cell with its row and column).

What it refuses, clearly: empty files, binary or UTF-16 files, files with duplicate or empty
column names, and lines with more fields than the header.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs
import polars as pl

from rfm.errors import ConfigError, InputError, Location, Problem, UnreadableFileError
from rfm.files import read_regular_file
from rfm.io.table import ROW, RawTable

SEPARATORS = (";", "\t", ",")
_PYTHON_ONLY_SPACE = "\x1c\x1d\x1e\x1f"
"""Characters Python's ``str.strip`` removes and Polars' ``strip_chars`` keeps."""


def decode(raw: bytes, name: str, encoding: str = "auto") -> str:
    """Bytes as text: UTF-8 (with or without BOM), else Windows-1252/Latin-1 when ``auto``.

    Every byte-order mark at the start is dropped (a file saved twice may have two, and
    ``encoding = "utf-8"`` reads one as text): Polars' reader drops the one it sees, so a mark
    left in the text would name the first column differently on different paths.
    """
    return _decoded(raw, name, encoding).lstrip(BOM)


BOM = "\ufeff"


def _decoded(raw: bytes, name: str, encoding: str) -> str:
    if b"\x00" in raw[:4096]:
        raise UnreadableFileError(
            f"{name}: contains NUL bytes, so it is binary or UTF-16, not a CSV file; save it "
            "as 'CSV UTF-8' or 'CSV (semikolonavgränsad)'"
        )
    if encoding != "auto":
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            line = raw[: getattr(exc, "start", 0)].count(b"\n") + 1
            raise UnreadableFileError(
                f"{name}: row {line}: cannot be read as {encoding} ({exc.__class__.__name__})"
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _refuse_mixed(raw, exc.start, name)
    try:
        return raw.decode("cp1252")  # Latin-1 as Windows writes it (adds €, – and ” in 0x80–0x9F)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
"""A character as UTF-8 writes it (å is C3 A5); Windows-1252 text almost never has one."""


def _refuse_mixed(raw: bytes, bad: int, name: str) -> None:
    """Refuse a file that is UTF-8 in one place and Windows-1252 in another.

    Read as Windows-1252, such a file turns the UTF-8 rows' ``Södermalm`` into ``SÃ¶dermalm``:
    one district becomes two recipients. Neither encoding reads the whole file right.
    """
    found = _UTF8_SEQUENCE.search(raw)
    if found is None:
        return
    utf8_row = raw[: found.start()].count(b"\n") + 1
    other_row = raw[:bad].count(b"\n") + 1
    raise UnreadableFileError(
        f"{name}: mixes two encodings: row {utf8_row} is UTF-8 and row {other_row} is not "
        "(Windows-1252/Latin-1?), so names would not match; save the whole file as 'CSV UTF-8' "
        "(or 'CSV (semikolonavgränsad)') and try again"
    )


def sniff_separator(header: str) -> str:
    """The separator the header line uses most (outside quotes): ``;``, tab or ``,``."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_csv(
    path: Path,
    *,
    name: str | None = None,
    separator: str | None = None,
    encoding: str = "auto",
    decimal_comma: bool | None = None,
    thousands_separator: str | None = None,
    column_kinds: Callable[[str], str | None] | None = None,
) -> RawTable:
    """Read ``path`` as a table of text cells with file row numbers.

    ``column_kinds`` (from the schema the table is read for: ``"int"``, ``"number"`` or other
    kinds by column name) lets a plain file's number columns be read as numbers by Polars'
    parser, in parallel, instead of as text cast afterwards; the schema still checks every
    cell. When any such cell does not parse cleanly (empty, text, NaN), the column is read as
    text as without the hint, so the schema names the cell as it stands in the file.

    ``decimal_comma`` defaults to what the separator implies (a comma-separated file cannot
    have decimal commas). ``thousands_separator = "."`` declares that points separate
    thousands in a decimal-comma file; otherwise a point there is ambiguous and refused.

    A first line ``sep=;`` (Excel writes it to say which separator follows) sets the separator
    and is skipped, still counted as row 1.

    Memory stays within a few times the file: the text is split into lines inside Polars (not
    into a Python list of lines), and a quoted file is parsed in chunks of rows.
    """
    name = name or str(path)
    for option, value in (("separator", separator), ("encoding", encoding)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{name}: {option} must be text, not {value!r}")
    if separator is not None and len(separator) != 1:
        raise ConfigError(f"{name}: separator must be one character, not {separator!r}")
    if decimal_comma is not None and not isinstance(decimal_comma, bool):
        raise ConfigError(f"{name}: decimal_comma must be true or false, not {decimal_comma!r}")
    if thousands_separator not in (None, " ", "."):
        raise ConfigError(
            f'{name}: thousands_separator must be " " or ".", not {thousands_separator!r}'
        )
    raw = read_regular_file(Path(path), name)
    digest = hashlib.sha256(raw).hexdigest()
    text = decode(raw, name, encoding)
    if not text or text.isspace():
        raise UnreadableFileError(f"{name}: the file is empty; expected a header row and data")
    header_line = _first_line(text)
    declared = re.fullmatch(r"\s*sep=(.)\s*", header_line)
    skip_row = None
    if declared:
        skip_row = text[: text.index(header_line)].count("\n") + 1
        sep = separator or declared.group(1)
    else:
        sep = separator or sniff_separator(header_line)
    if decimal_comma is None:
        decimal_comma = sep != ","
    if thousands_separator == "." and not decimal_comma:
        raise ConfigError(
            f'{name}: thousands_separator = "." needs decimal commas; this file has decimal points'
        )
    table = None
    if skip_row is None and _plain_text(text):
        body = _utf8_body(raw, text)
        typed = (
            _typed(header_line, sep, column_kinds) if column_kinds and not decimal_comma else None
        )
        if typed is not None and typed.types:  # a file without number columns is read once
            table = _polars_table(body, name, sep, decimal_comma, typed)
        if table is None:
            table = _polars_table(body, name, sep, decimal_comma)
    del raw  # the text is all that is needed now (a 250 MB file held twice is 500 MB)
    if table is None:
        table = _unquoted_table(text, name, sep, decimal_comma, skip_row=skip_row)
    if table is None:
        rows = csv.reader(_physical_lines(text), delimiter=sep)
        table = _to_table(rows, name, sep, decimal_comma, skip_row=skip_row)
    return attrs.evolve(table, thousands_point=thousands_separator == ".", sha256=digest)


def _plain_text(text: str) -> bool:
    """True when every line is one record: no quotes, no lone carriage return, and nothing
    that Python and Polars would strip differently."""
    if '"' in text or any(ch in text for ch in _PYTHON_ONLY_SPACE):
        return False
    return not ("\r" in text and re.search("\r(?!\n)", text))


def _utf8_body(raw: bytes, text: str) -> bytes | None:
    """``raw`` without its byte-order mark if ``text`` is its UTF-8 reading, else None.

    A file read as Windows-1252 or Latin-1 with any byte above 127 has a character for that
    byte that UTF-8 writes in two or more: the lengths differ exactly then.
    """
    if raw.isascii() and text.isascii() and len(text) == len(raw):
        return raw  # ASCII read as ASCII: no mark, every character one byte (not UTF-7, say)
    body = raw
    while body.startswith(b"\xef\xbb\xbf"):  # as decode() drops every mark at the start
        body = body[3:]
    return body if len(text.encode("utf-8")) == len(body) else None


_TYPES = {"int": pl.Int64, "number": pl.Float64}
_EXACT = 2**53
"""The largest whole number a float holds exactly. The schema parses a column of whole numbers
with any cell its cast refuses (`` 7``, which Polars' CSV parser reads) through floats, so
``9007199254740993`` becomes ``…992`` and ``9223372036854775807`` no number: beyond this, the
column is read as text and the schema gives what it always gave."""


@attrs.frozen
class _Typed:
    """A plain file's header and the Polars type of each of its number columns, by place."""

    header: list[str]
    types: dict[int, pl.DataType]

    def schema(self) -> dict[str, pl.DataType]:
        """Every column by place (``column_1`` …), text unless it is a number column."""
        return {f"column_{i + 1}": self.types.get(i, pl.String()) for i in range(len(self.header))}


def _typed(header_line: str, sep: str, column_kinds: Callable[[str], str | None]) -> _Typed:
    header = [h.strip() for h in header_line.split(sep)]
    kinds = {i: column_kinds(h) for i, h in enumerate(header) if header.index(h) == i}
    return _Typed(header, {i: _TYPES[kind]() for i, kind in kinds.items() if kind in _TYPES})


def _polars_table(
    body: bytes | None,
    name: str,
    sep: str,
    decimal_comma: bool,
    typed: _Typed | None = None,
) -> RawTable | None:
    """The table read by Polars' own CSV reader, when the file is plain enough that it gives
    exactly what the other paths give (else None, and they read it).

    The common case: a UTF-8 file without quotes or blank lines, every row as wide as the
    header.
    Polars splits and cuts it in native code on every core; each record is one line, so the
    file row of record *i* is *i* + 1 and the header is row 1.

    ``typed`` number columns (by place) are parsed as numbers while reading. Polars' CSV parser
    accepts what the schema's cast accepts and, besides, leading white space (which the
    schema's full parser strips too); a cell it does not parse stops the read, and an empty
    cell or one that is not a finite number gives None: the caller then reads the file as text.
    """
    if body is None or body.endswith(sep.encode()) or (typed and body[:1] in (b"\r", b"\n")):
        return None  # Polars drops the empty field after a separator that ends the file
    try:
        frame = pl.read_csv(
            body,
            has_header=False,
            skip_rows=1 if typed else 0,
            separator=sep,
            quote_char=None,
            infer_schema=False,
            schema=typed.schema() if typed else None,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None  # a row wider than the first, say: the other paths name it
    lines = frame.height + (1 if typed else 0)
    if frame.height == 0 or body.count(sep.encode()) != (frame.width - 1) * lines:
        return None  # a row shorter than the header: its missing cells are null, not ""
    if typed:
        checks = []
        for i, dtype in typed.types.items():
            value = pl.col(frame.columns[i])
            checks.append(value.is_not_null().all() & value.cast(pl.Float64).is_finite().all())
            if dtype == pl.Int64:  # beyond a float's whole numbers the schema's parse may differ
                checks.append(value.is_between(-_EXACT, _EXACT).all())
        if not frame.select(pl.all_horizontal(checks)).item():
            return None  # empty, NaN, infinite or too large a cell: the schema reads its text
        header, body_rows = typed.header, frame
    else:
        header = [("" if h is None else str(h)).strip() for h in frame.row(0)]
        body_rows = frame.slice(1)
    if _header_problems(header, 1, name):
        return None
    empty = r"^\s*$"
    first = pl.col(frame.columns[0])  # a blank line is blank in its first cell: looked at first
    if typed:
        maybe_blank = False  # a blank line leaves a number column empty: refused above
    elif body.isascii():
        # White space is then a byte below "!", and text compares byte by byte: a first cell
        # that is empty or starts with white space exists only if the smallest one does.
        lowest = body_rows.select(first.min()).item()
        maybe_blank = lowest is not None and lowest[:1] < "!"
    else:
        maybe_blank = body_rows.select(first.str.contains(empty).any()).item()
    if body_rows.height and (body_rows[frame.columns[0]].null_count() or maybe_blank):
        blank = pl.all_horizontal(pl.all().is_null() | pl.all().str.contains(empty))
        if body_rows.select(blank.any()).item():
            return None  # blank lines are skipped but counted: the line-by-line path does that
    table = body_rows.rename(dict(zip(frame.columns, header, strict=True))).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW)
    )
    return RawTable(table, name, decimal_comma)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _physical_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, split as ``io.StringIO(text, newline="")`` splits.

    A generator of slices: ``io.StringIO`` would copy the text at four bytes a character
    (1 GB for a 250 MB file) before the csv module saw a line.
    """
    for match in _LINE.finditer(text):
        yield match.group()


def _first_line(text: str) -> str:
    """The first line after any leading line breaks (without copying the rest of the text)."""
    start = 0
    while start < len(text) and text[start] in "\r\n":
        start += 1
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    return text[start : min(ends)] if ends else text[start:]


def _header_problems(header: list[str], header_row: int, name: str) -> list[Problem]:
    problems = []
    for i, h in enumerate(header):
        if not h:
            problems.append(Problem(Location(name, header_row, f"#{i + 1}"), "a column name"))
        elif header.index(h) != i:
            problems.append(Problem(Location(name, header_row, h), "each column name only once"))
        elif h == ROW:
            problems.append(
                Problem(
                    Location(name, header_row, h), f"a name other than {ROW!r} (rfm's row numbers)"
                )
            )
    return problems


def _too_wide(row_no: int, fields: int, width: int, name: str, sep: str) -> Problem:
    return Problem(
        Location(name, row_no),
        f"at most {width} fields separated by {sep!r} like the header",
        f"{fields} fields",
    )


CHUNK_CHARS = 8 * 1024 * 1024
"""Characters of an unquoted file split into lines at a time (whole lines; see _unquoted_table)."""


def _unquoted_table(
    text: str, name: str, sep: str, decimal_comma: bool, *, skip_row: int | None = None
) -> RawTable | None:
    """The table split in Polars when no cell is quoted (one line per record), else None.

    This is the common case, and it reads ten million rows in a few seconds. It gives exactly
    what the csv-module path gives (same cells, row numbers and problems); a file with quotes
    or lone carriage returns takes that path instead.

    Memory: the text is taken :data:`CHUNK_CHARS` at a time (whole lines); each piece goes into
    Polars as a column of lines (its CSV reader with a separator the text does not contain),
    its blank and too-wide lines are found there, and the fields are cut out of the lines kept.
    Only the fields stay: no Python list of lines, no copy of the whole file as lines.
    """
    if not _plain_text(text):
        return None  # quotes, or a lone carriage return: the csv module decides what they mean
    blank = rf"^[\s\x{{{ord(sep):x}}}]*$"  # only separators and white space
    header: list[str] | None = None
    header_row = 0
    problems: list[Problem] = []
    parts: list[pl.DataFrame] = []
    before = 0  # lines in the pieces already read
    for piece in _pieces(text):
        lines = _lines(piece)
        if lines is None:
            return None
        row = pl.int_range(pl.len(), dtype=pl.Int64) + before + 1
        lines = lines.with_columns(
            row.alias(ROW),
            (~pl.col("line").str.contains(blank) & (row != (skip_row or 0))).alias("_keep"),
        )
        before += lines.height
        if header is None:
            first = lines.filter(pl.col("_keep")).head(1)
            if first.height == 0:
                continue
            header_row = int(first[ROW][0])
            header = [h.strip() for h in str(first["line"][0]).split(sep)]
            problems += _header_problems(header, header_row, name)
        width = len(header)
        lines = lines.with_columns(pl.col("_keep") & (pl.col(ROW) > header_row))
        wide = lines.filter(
            pl.col("_keep") & (pl.col("line").str.count_matches(sep, literal=True) >= width)
        )
        problems += [
            _too_wide(row_no, line.count(sep) + 1, width, name, sep)
            for row_no, line in wide.select(ROW, "line").iter_rows()
        ]
        if not problems:
            parts.append(_fields(lines, header, sep))
    if header is None:
        raise UnreadableFileError(f"{name}: no header row")
    if problems:
        raise InputError(problems, title=f"{name}: cannot be read as a table")
    if not parts:
        empty = pl.DataFrame(schema={**dict.fromkeys(header, pl.String), ROW: pl.Int64})
        return RawTable(empty, name, decimal_comma)
    return RawTable(pl.concat(parts, rechunk=False), name, decimal_comma)


def _pieces(text: str) -> Iterator[str]:
    """``text`` in slices of about :data:`CHUNK_CHARS` characters, each ending after a "\\n"."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + CHUNK_CHARS)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _lines(piece: str) -> pl.DataFrame | None:
    """The lines of ``piece`` as one Polars column (None if Polars counts them differently, or
    if the piece begins with a byte-order mark, which Polars would drop)."""
    if piece.startswith(BOM):
        return None
    lines = pl.read_csv(
        io.BytesIO(piece.encode("utf-8")),
        has_header=False,
        separator=_PYTHON_ONLY_SPACE[-1],  # absent from the text (checked by the caller)
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
        low_memory=True,
    ).with_columns(pl.col("line").fill_null("").str.strip_suffix("\r"))
    if lines.height != piece.count("\n") + (not piece.endswith("\n")):
        return None  # Polars saw the lines differently: take the slow path
    return lines


def _fields(lines: pl.DataFrame, header: list[str], sep: str) -> pl.DataFrame:
    """The fields of the kept lines, cut in one pass (the lines are never copied by a filter)."""
    width = len(header)
    fields = pl.col("line").str.split_exact(sep, max(width - 1, 0))
    return (
        lines.lazy()
        .filter(pl.col("_keep"))
        .select(
            fields.struct.rename_fields([f"_f{i}" for i in range(width)]).alias("_fields"),
            pl.col(ROW),
        )
        .unnest("_fields")
        .collect()
        .rename({f"_f{i}": h for i, h in enumerate(header)})  # names taken literally ("*")
    )


CHUNK_ROWS = 200_000
"""Rows of a quoted file turned into a Polars frame at a time (their Python strings are freed)."""


def _to_table(
    rows: Iterable[list[str]],
    name: str,
    sep: str,
    decimal_comma: bool,
    *,
    skip_row: int | None = None,
) -> RawTable:
    """The table from csv-module records, keeping the file's own row numbers.

    Row 1 is the header; blank records are skipped but counted. Records are gathered into
    frames of :data:`CHUNK_ROWS` rows, so that no more than one chunk of Python strings is
    alive at a time.
    """
    header: list[str] | None = None
    header_row = 0
    width = 0
    problems: list[Problem] = []
    chunks: list[pl.DataFrame] = []
    numbers: list[int] = []
    cells: list[list[str | None]] = []

    def flush() -> None:
        if numbers and header is not None:
            data = dict(zip(header, cells, strict=True))
            frame = pl.DataFrame(data, schema=dict.fromkeys(header, pl.String))
            chunks.append(frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64)))
            numbers.clear()
            for column in cells:
                column.clear()

    try:
        for i, record in enumerate(rows):
            row_no = i + 1
            if row_no == skip_row or not any(cell.strip() for cell in record):
                continue
            if header is None:
                header, header_row = [h.strip() for h in record], row_no
                width = len(header)
                problems += _header_problems(header, header_row, name)
                cells = [[] for _ in header]
                continue
            if len(record) > width:
                problems.append(_too_wide(row_no, len(record), width, name, sep))
                continue
            if problems:
                continue  # only collecting problems now
            numbers.append(row_no)
            for j, column in enumerate(cells):
                column.append(record[j] if j < len(record) else None)
            if len(numbers) >= CHUNK_ROWS:
                flush()
    except csv.Error as exc:  # e.g. a field larger than the csv module's limit
        raise UnreadableFileError(f"{name}: cannot be read as CSV ({exc})") from None
    if header is None:
        raise UnreadableFileError(f"{name}: no header row")
    if problems:
        raise InputError(problems, title=f"{name}: cannot be read as a table")
    flush()
    if not chunks:
        empty = pl.DataFrame(schema=dict.fromkeys(header, pl.String))
        return RawTable(empty.with_columns(pl.Series(ROW, [], dtype=pl.Int64)), name, decimal_comma)
    return RawTable(pl.concat(chunks, rechunk=False), name, decimal_comma)
