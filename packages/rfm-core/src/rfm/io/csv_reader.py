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
from pathlib import Path

import polars as pl

from rfm.errors import InputError, Location, Problem, UnreadableFileError
from rfm.io.table import ROW, RawTable

SEPARATORS = (";", "\t", ",")


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
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")  # Latin-1 as Windows writes it (adds €, – and ” in 0x80–0x9F)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


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
) -> RawTable:
    """Read ``path`` as a table of text cells with file row numbers."""
    name = name or str(path)
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
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    return _to_table(rows, name, sep, decimal_comma)


def _to_table(rows: list[list[str]], name: str, sep: str, decimal_comma: bool) -> RawTable:
    # Keep the file's own row numbers: row 1 is the header; blank lines are skipped but counted.
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(cell.strip() for cell in r)]
    if not numbered:
        raise UnreadableFileError(f"{name}: no header row")
    header_row, header = numbered[0]
    header = [h.strip() for h in header]
    problems = []
    for i, h in enumerate(header):
        if not h:
            problems.append(Problem(Location(name, header_row, f"#{i + 1}"), "a column name"))
        elif header.index(h) != i:
            problems.append(Problem(Location(name, header_row, h), "each column name only once"))
    width = len(header)
    for row_no, cells in numbered[1:]:
        if len(cells) > width:
            problems.append(
                Problem(
                    Location(name, row_no),
                    f"at most {width} fields separated by {sep!r} like the header",
                    f"{len(cells)} fields",
                )
            )
    if problems:
        raise InputError(problems, title=f"{name}: cannot be read as a table")
    data = {
        h: [(c[i] if i < len(c) else None) for _, c in numbered[1:]] for i, h in enumerate(header)
    }
    frame = pl.DataFrame(data, schema=dict.fromkeys(header, pl.String))
    frame = frame.with_columns(pl.Series(ROW, [r for r, _ in numbered[1:]], dtype=pl.Int64))
    return RawTable(frame, name, decimal_comma)
