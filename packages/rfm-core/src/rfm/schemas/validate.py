"""Turning a table read from a file into a typed, checked frame — or a list of every problem.

Three passes, all reporting every problem at once with file, row and column:

1. *shape*: the required columns are there;
2. *types*: each cell parses as its column's kind (numbers in the Swedish forms too);
3. *values*: the pandera checks (``count ≥ 0``, a known kommunkod, …) and the table's key
   (no two rows for the same area, year and age).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from rfm.errors import InputError, Location, Problem
from rfm.frame_memo import carry_distinct, know_distinct
from rfm.io.numbers import integer_expr, number_expr
from rfm.io.table import ROW, RawTable
from rfm.schemas.spec import KIND_EXPECTED, ColumnKind, SchemaSpec

_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
"""Characters that show as nothing: a name with one inside is the same name without it."""
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
"""Control characters (and bidirectional overrides): no name contains them; refused."""
SEX_CODES = {
    "m": "m", "man": "m", "män": "m", "1": "m",
    "k": "k", "kvinna": "k", "kvinnor": "k", "2": "k",
    "totalt": "totalt", "t": "totalt", "båda könen": "totalt", "samtliga": "totalt",
}  # fmt: skip
"""How Swedish statistics write sex, and the one code rfm keeps for each."""


def identifier_expr(expr: pl.Expr) -> pl.Expr:
    """Text as one name: Unicode NFC, no zero-width characters, every run of spaces (also
    no-break and thin spaces) one space, trimmed; empty is missing.

    ``Söder\u200bmalm``, a decomposed ``Södermalm`` and ``Norra\u00a0innerstaden`` are the
    recipients ``Södermalm`` and ``Norra innerstaden``; text with a control character becomes
    missing, so the caller reports it.
    """
    text = (
        expr.cast(pl.String)
        .str.normalize("NFC")
        .str.replace_all(_ZERO_WIDTH, "")
        .str.replace_all(_SPACES, " ")
        .str.strip_chars()
    )
    return pl.when((text != "") & ~text.str.contains(_CONTROL)).then(text)


def name_text(text: str) -> str:
    """A name from a tenant file read as the data's names are (see :func:`identifier_expr`)."""
    nfc = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", re.sub(_ZERO_WIDTH, "", nfc)).strip()


_SPACES = r"\s+"
"""Spaces of every kind, tabs and line breaks, in a run: one space in a name."""


def _parse(
    column: str, kind: ColumnKind, decimal_comma: bool, dtype: pl.DataType, points: bool = False
) -> pl.Expr:
    if kind == "sex":
        text = identifier_expr(pl.col(column)).str.to_lowercase()
        return text.replace_strict(SEX_CODES, default=None, return_dtype=pl.String)
    if kind in ("text", "age"):  # an empty cell is missing, as in the number columns
        return identifier_expr(pl.col(column))
    if dtype.is_numeric():  # a workbook's numbers
        return _plain_number(column, kind)
    if kind == "int":
        return integer_expr(column, decimal_comma, points)
    return number_expr(column, decimal_comma, points)


_NOT_PLAIN = r"[\s\u00a0\u202f\u2009\u2212,]"
"""What the full number parser rewrites: spaces of every kind, the minus sign, the comma."""


def _is_plain(frame: pl.DataFrame, name: str, kind: ColumnKind, decimal_comma: bool) -> bool:
    """True when no cell of a text column of numbers has anything the number parser rewrites.

    Then parsing is a plain cast, which gives the same values several times faster (the full
    parser strips, removes spaces and swaps signs and commas: all no-ops on such cells).
    """
    if kind not in ("int", "number") or frame.schema[name] != pl.String:
        return False
    odd = _NOT_PLAIN if not decimal_comma else _NOT_PLAIN[:-1] + ".]"
    return not frame.select(pl.col(name).str.contains(odd).any()).item()


def _plain_number(column: str, kind: ColumnKind) -> pl.Expr:
    """A number as it stands (text cast, or a workbook's number); null where it is none."""
    value = pl.col(column).cast(pl.Float64, strict=False)
    value = pl.when(value.is_finite()).then(value)  # NaN and infinity are not amounts
    if kind == "int":  # 2024.5 is not a year: null, reported below, never truncated
        return pl.when(value == value.round(0)).then(value).cast(pl.Int64, strict=False)
    return value


def _parsed(
    frame: pl.DataFrame, name: str, kind: ColumnKind, raw: RawTable
) -> tuple[pl.Series, pl.Series | None]:
    """Column ``name`` of ``frame`` typed as ``kind`` (null where a cell does not parse).

    A text column with few distinct values (areas, ages: hundreds among hundreds of thousands
    of rows) is parsed once per value and mapped back: the same result, and normalising names
    (NFC, spaces) on 300 values instead of 500 000 rows. Returns the column and, when it found
    them, its distinct values (the checks and the models ask for them again).
    """
    column = frame[name]
    if kind not in ("int", "number") and column.len() >= _DISTINCT_FROM:  # names, ages
        distinct = column.unique()
        if distinct.len() * 8 <= column.len():
            parsed = _parsed_cells(pl.DataFrame([distinct]), name, kind, raw)
            if parsed.dtype == column.dtype and parsed.equals(distinct):
                return column, distinct  # every value parses as itself (nothing to normalise)
            mapped = column.replace_strict(distinct, parsed, return_dtype=parsed.dtype)
            return mapped.alias(name), parsed.unique()
    return _parsed_cells(frame, name, kind, raw), None


def _cast(column: pl.Series, kind: ColumnKind) -> pl.Series | None:
    """``column`` cast to its kind's type when every cell casts (else None): a whole number
    for ``int`` (``2024``), a finite number for ``number``; each cast is done once."""
    if kind == "int":
        whole = column.cast(pl.Int64, strict=False)
        if whole.null_count() == column.null_count():
            return whole
        return None  # 2024.0 is a year too, and 1e3: the full pass decides
    value = column.cast(pl.Float64, strict=False)
    if value.null_count() == column.null_count() and value.is_finite().fill_null(True).all():
        return value
    return None


def _parsed_cells(frame: pl.DataFrame, name: str, kind: ColumnKind, raw: RawTable) -> pl.Series:
    """Column ``name`` typed as ``kind``, cell by cell.

    Numbers in a file with decimal points are first cast as they stand: a cell with a space,
    a comma or a minus sign does not cast, so when every cell casts, none has anything the full
    parser rewrites, and the cast is what it would give (the common case, in one pass).
    """
    dtype = frame.schema[name]
    if kind in ("int", "number") and dtype == pl.String and not raw.decimal_comma:
        quick = _cast(frame[name], kind)
        if quick is not None:
            return quick
    column = frame[name]
    if kind == "int" and dtype == pl.Int64:  # read as numbers (rfm.io.csv_reader)
        return column
    if kind == "number" and dtype == pl.Float64 and column.is_finite().fill_null(True).all():
        return column
    if _is_plain(frame, name, kind, raw.decimal_comma):
        expr = _plain_number(name, kind)
    else:
        expr = _parse(name, kind, raw.decimal_comma, frame.schema[name], raw.thousands_point)
    return frame.select(expr.alias(name)).to_series()


_DISTINCT_FROM = 10_000
"""Rows from which a column is parsed per distinct value (below, one pass is as quick)."""


def parse_columns(raw: RawTable, spec: SchemaSpec) -> pl.DataFrame:
    """Type every column of ``raw`` as ``spec`` says, or raise with every cell that fails."""
    frame = raw.frame
    if ROW not in frame.columns:
        frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(ROW))
    problems = [
        Problem(
            Location(raw.file, 1, c.name), f"a column named {c.name!r} ({c.description or c.kind})"
        )
        for c in spec.columns
        if c.required and c.name not in frame.columns
    ]
    if problems:
        found = ", ".join(c for c in frame.columns if c != ROW)
        raise InputError(problems, title=f"{raw.file}: missing columns (found: {found})")

    kinds: dict[str, tuple[ColumnKind, bool]] = {
        c.name: (c.kind, c.nullable) for c in spec.columns if c.name in frame.columns
    }
    if spec.extra_columns is not None:
        for name in frame.columns:
            if name not in kinds and name != ROW:
                kinds[name] = (spec.extra_columns, False)
    columns = {name: _parsed(frame, name, kind, raw) for name, (kind, _) in kinds.items()}
    parsed = pl.DataFrame([frame[ROW], *[column for column, _ in columns.values()]])
    for name, (_, distinct) in columns.items():
        if distinct is not None:  # found on the way: the checks and the models ask again
            know_distinct(parsed, name, distinct)
    problems = []
    for name, (kind, nullable) in kinds.items():
        text_numbers = _text_numbers(raw, name, kind, frame)
        problems += [
            Problem(Location(raw.file, row, name), TEXT_NUMBER, value)
            for row, value in text_numbers
        ]
        if parsed[name].null_count() == 0:
            continue  # every cell parsed (an empty cell never does): nothing to report
        original = frame[name]
        empty = original.is_null()
        if original.dtype == pl.String:
            empty = empty | (original.str.strip_chars() == "")
        bad = parsed[name].is_null() & ~empty
        if not nullable:
            bad = bad | empty
        as_text = {row for row, _ in text_numbers}  # said once, as a number kept as text
        for row, value in zip(
            frame[ROW].filter(bad).to_list(), original.filter(bad).to_list(), strict=True
        ):
            if row in as_text:
                continue
            expected = KIND_EXPECTED[kind] + ("" if value not in (None, "") else ", not empty")
            if _ambiguous(value, kind, raw):
                expected = AMBIGUOUS
            elif _comma_in_point_file(value, kind, raw):
                expected = COMMA_IN_POINT_FILE
            problems.append(Problem(Location(raw.file, row, name), expected, value))
    if problems:
        problems.sort(key=lambda p: (p.location.row or 0, p.location.column or ""))
        raise InputError(problems, title=f"{raw.file}: values of the wrong kind")
    return parsed


AMBIGUOUS = (
    "a number without a point: this file writes decimals with a comma, so a point is "
    'ambiguous (1.234 may be 1 234 or 1,234); declare thousands_separator = "." on its '
    "[data.…] table if points separate thousands, or decimal_comma = false if they are decimals"
)


COMMA_IN_POINT_FILE = (
    "a number with a decimal point: this file separates its columns with commas, so it is "
    "read with decimal points and a comma in a number is ambiguous (1,234 may be 1 234 or "
    "1,234); declare decimal_comma = true on its [data.…] table if commas are decimals"
)


TEXT_NUMBER = (
    "a number stored as a number: the workbook keeps this cell as text, so its point or comma "
    "cannot be trusted (is 1.234 one thousand two hundred thirty-four, or one point two?); "
    "enter it as a number"
)


def _text_numbers(
    raw: RawTable, name: str, kind: ColumnKind, frame: pl.DataFrame
) -> list[tuple[int, str]]:
    """Cells of a number column that a workbook stores as text with a point or a comma."""
    if kind not in ("int", "number") or not raw.text_cells:
        return []
    rows = {row for row, column in raw.text_cells if column == name}
    if not rows:
        return []
    picked = frame.filter(pl.col(ROW).is_in(sorted(rows))).select(ROW, pl.col(name).cast(pl.String))
    return [(r, v) for r, v in picked.iter_rows() if v is not None and ("." in v or "," in v)]


def _ambiguous(value: object, kind: ColumnKind, raw: RawTable) -> bool:
    return (
        kind in ("int", "number")
        and raw.decimal_comma
        and not raw.thousands_point
        and isinstance(value, str)
        and "." in value
    )


def _comma_in_point_file(value: object, kind: ColumnKind, raw: RawTable) -> bool:
    return (
        kind in ("int", "number")
        and not raw.decimal_comma
        and isinstance(value, str)
        and "," in value
    )


def _humanize(check: str) -> str:
    replacements = {
        "greater_than_or_equal_to": "a value ≥ ",
        "less_than_or_equal_to": "a value ≤ ",
        "greater_than": "a value > ",
        "less_than": "a value < ",
        "str_length": "text of length ",
        "str_matches": "text matching ",
        "isin": "one of ",
    }
    for raw, nice in replacements.items():
        if check.startswith(raw + "("):
            return nice + check[len(raw) + 1 : -1]
    return check


def check_values(frame: pl.DataFrame, spec: SchemaSpec, file: str, *, parsed: bool = False) -> None:
    """Run the schema's checks and the key check on a typed frame, reporting every failure.

    A schema with a native pass (``spec.passes``: a few Polars expressions) that the frame
    passes is done without pandera, which is not even imported then (it costs a quarter of a
    second, with numpy); pandera runs when there is no such pass or it fails, to name the rows.

    A native pass judges values as :func:`parse_columns` leaves them (``parsed``): every
    column there, of its kind's type, nothing missing where nothing may be, numbers finite,
    text not empty. A frame built otherwise (:func:`validate_frame`) is trusted to the pass
    only when it is so too; else pandera judges it (a fractional year, an empty name, NaN).
    """
    missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    if missing:
        found = ", ".join(c for c in frame.columns if c != ROW)
        raise InputError(
            [Problem(Location(file, None, name), f"a column named {name!r}") for name in missing],
            title=f"{file}: missing columns (found: {found})",
        )
    problems: list[Problem] = []
    trusted = spec.passes is not None and (parsed or _as_parsed(frame, spec)) and spec.passes(frame)
    if not trusted:
        problems += _pandera_problems(frame, spec, file)
    for check in spec.frame_checks:
        problems += check(frame, file)
    key = [k for k in spec.key if k in frame.columns]
    if key and frame.select(key).is_duplicated().any():  # then, which rows repeat which
        dupes = (
            frame.select(ROW, *key)
            .with_columns(
                pl.col(ROW).min().over(key).alias("_first"), pl.len().over(key).alias("_n")
            )
            .filter((pl.col("_n") > 1) & (pl.col(ROW) != pl.col("_first")))
        )
        for case in dupes.iter_rows(named=True):
            problems.append(
                Problem(
                    Location(file, case[ROW]),
                    f"one row per {', '.join(key)}; this row repeats row {case['_first']}",
                    ", ".join(str(case[k]) for k in key),
                )
            )
    if problems:
        problems.sort(key=lambda p: (p.location.row or 0, p.location.column or ""))
        raise InputError(problems, title=f"{file}: does not match schema '{spec.name}'")


_KIND_DTYPES = {"int": pl.Int64, "number": pl.Float64}
"""The type :func:`parse_columns` gives each kind (text, age and sex: String)."""


def _as_parsed(frame: pl.DataFrame, spec: SchemaSpec) -> bool:
    """True when ``frame`` is as :func:`parse_columns` would leave it (see :func:`check_values`)."""
    for column in spec.columns:
        if column.name not in frame.columns:
            continue  # an optional column (a required one missing is refused before)
        values = frame[column.name]
        if values.dtype != _KIND_DTYPES.get(column.kind, pl.String):
            return False
        if not column.nullable and values.null_count():
            return False
        if column.kind == "number" and not values.is_finite().fill_null(True).all():
            return False
        if values.dtype == pl.String and (values.str.len_bytes() == 0).any():
            return False
    return True


def _pandera_problems(frame: pl.DataFrame, spec: SchemaSpec, file: str) -> list[Problem]:
    """Every cell that fails the schema's pandera checks, with its row and column."""
    from pandera.errors import SchemaErrors  # here: pandera is slow to import (see spec.py)

    rows = frame[ROW]
    problems: list[Problem] = []
    try:
        spec.checks().validate(frame, lazy=True)  # type: ignore[attr-defined]
    except SchemaErrors as errors:
        for case in errors.failure_cases.iter_rows(named=True):
            index = case.get("index")
            row = int(rows[int(index)]) if index is not None else None
            column = case.get("column")
            column = column if column in frame.columns else None
            problems.append(
                Problem(
                    Location(file, row, column), _humanize(str(case["check"])), case["failure_case"]
                )
            )
    return problems


def validate_table(raw: RawTable, spec: SchemaSpec) -> pl.DataFrame:
    """A table read from a file, typed and checked against ``spec`` (``_row`` dropped)."""
    frame = parse_columns(raw, spec)
    check_values(frame, spec, raw.file, parsed=True)
    return carry_distinct(frame, frame.drop(ROW))


def validate_frame(frame: pl.DataFrame, spec: SchemaSpec, where: str) -> pl.DataFrame:
    """A frame built in memory, checked against ``spec``; rows are numbered from 1."""
    numbered = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(ROW))
    check_values(numbered, spec, where)
    return frame
