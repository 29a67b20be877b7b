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
import io
import re
from pathlib import Path

import attrs
import polars as pl

from rfm.errors import ConfigError, InputError, Location, Problem, UnreadableFileError
from rfm.io.table import ROW, RawTable

SEPARATORS = (";", "\t", ",")
_PYTHON_ONLY_SPACE = "\x1c\x1d\x1e\x1f"
"""Characters Python's ``str.strip`` removes and Polars' ``strip_chars`` keeps."""


def decode(raw: bytes, name: str, encoding: str = "auto") -> str:
    """Bytes as text: UTF-8 (with or without BOM), else Windows-1252/Latin-1 when ``auto``."""
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
) -> RawTable:
    """Read ``path`` as a table of text cells with file row numbers.

    ``decimal_comma`` defaults to what the separator implies (a comma-separated file cannot
    have decimal commas). ``thousands_separator = "."`` declares that points separate
    thousands in a decimal-comma file; otherwise a point there is ambiguous and refused.
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
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{name}: is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableFileError(f"{name}: cannot read ({exc.strerror})") from None
    text = decode(raw, name, encoding)
    if not text.strip():
        raise UnreadableFileError(f"{name}: the file is empty; expected a header row and data")
    header_line = text.lstrip("\r\n").splitlines()[0]
    sep = separator or sniff_separator(header_line)
    if decimal_comma is None:
        decimal_comma = sep != ","
    if thousands_separator == "." and not decimal_comma:
        raise ConfigError(
            f'{name}: thousands_separator = "." needs decimal commas; this file has decimal points'
        )
    table = _unquoted_table(text, name, sep, decimal_comma)
    if table is None:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        table = _to_table(rows, name, sep, decimal_comma)
    return attrs.evolve(table, thousands_point=thousands_separator == ".")


def _header_problems(header: list[str], header_row: int, name: str) -> list[Problem]:
    problems = []
    for i, h in enumerate(header):
        if not h:
            problems.append(Problem(Location(name, header_row, f"#{i + 1}"), "a column name"))
        elif header.index(h) != i:
            problems.append(Problem(Location(name, header_row, h), "each column name only once"))
    return problems


def _too_wide(row_no: int, fields: int, width: int, name: str, sep: str) -> Problem:
    return Problem(
        Location(name, row_no),
        f"at most {width} fields separated by {sep!r} like the header",
        f"{fields} fields",
    )


def _unquoted_table(text: str, name: str, sep: str, decimal_comma: bool) -> RawTable | None:
    """The table split in Polars when no cell is quoted (one line per record), else None.

    This is the common case, and it reads half a million rows in a fraction of a second. It
    gives exactly what the csv-module path gives (same cells, row numbers and problems); a file
    with quotes or lone carriage returns takes that path instead.
    """
    if '"' in text or any(ch in text for ch in _PYTHON_ONLY_SPACE):
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = pl.DataFrame({"line": text.split("\n")}, schema={"line": pl.String})
    lines = lines.with_row_index(ROW, offset=1).filter(
        pl.col("line").str.replace_all(sep, "", literal=True).str.strip_chars() != ""
    )
    if lines.height == 0:
        raise UnreadableFileError(f"{name}: no header row")
    header_row = int(lines[ROW][0])
    header = [h.strip() for h in str(lines["line"][0]).split(sep)]
    width = len(header)
    data = lines.slice(1).with_columns(
        pl.col(ROW).cast(pl.Int64),
        pl.col("line").str.count_matches(sep, literal=True).alias("_seps"),
    )
    problems = _header_problems(header, header_row, name)
    wide = data.filter(pl.col("_seps") >= width)
    problems += [
        _too_wide(row_no, seps + 1, width, name, sep)
        for row_no, seps in wide.select(ROW, "_seps").iter_rows()
    ]
    if problems:
        raise InputError(problems, title=f"{name}: cannot be read as a table")
    fields = pl.col("line").str.split(sep, literal=True)
    frame = data.select(
        *[fields.list.get(i, null_on_oob=True).alias(h) for i, h in enumerate(header)],
        pl.col(ROW),
    )
    return RawTable(frame, name, decimal_comma)


def _to_table(rows: list[list[str]], name: str, sep: str, decimal_comma: bool) -> RawTable:
    # Keep the file's own row numbers: row 1 is the header; blank lines are skipped but counted.
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(cell.strip() for cell in r)]
    if not numbered:
        raise UnreadableFileError(f"{name}: no header row")
    header_row, header = numbered[0]
    header = [h.strip() for h in header]
    problems = _header_problems(header, header_row, name)
    width = len(header)
    problems += [
        _too_wide(row_no, len(cells), width, name, sep)
        for row_no, cells in numbered[1:]
        if len(cells) > width
    ]
    if problems:
        raise InputError(problems, title=f"{name}: cannot be read as a table")
    data = {
        h: [(c[i] if i < len(c) else None) for _, c in numbered[1:]] for i, h in enumerate(header)
    }
    frame = pl.DataFrame(data, schema=dict.fromkeys(header, pl.String))
    frame = frame.with_columns(pl.Series(ROW, [r for r, _ in numbered[1:]], dtype=pl.Int64))
    return RawTable(frame, name, decimal_comma)
