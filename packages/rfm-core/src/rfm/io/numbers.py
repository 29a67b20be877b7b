"""Numbers as Swedish files write them: ``1 234 567,50``, a minus sign ``−``, ``12,5 %``.

Swedish exports from Excel and SCB use a decimal comma, spaces (often non-breaking) as thousands
separators, and sometimes the typographic minus sign. A comma-separated file cannot use a decimal
comma unquoted, so a file's separator usually tells which convention it follows; the caller
decides and passes ``decimal_comma``.
"""

from __future__ import annotations

import polars as pl

# Spaces of every kind that Swedish software puts between thousands.
_SPACES = r"[\s\u00a0\u202f\u2009]"


def number_expr(column: str, decimal_comma: bool, thousands_point: bool = False) -> pl.Expr:
    """An expression parsing a text column as Float64; unparseable text becomes null.

    Spaces between digits must group thousands (``1 234 567``, not ``12 5`` or ``1 23,5``).
    With a decimal comma a point is ambiguous (``1.234``: a thousand or one and a bit?): it
    makes the cell null (the caller says why) unless the file declares the point a thousands
    separator (``thousands_point``); then points must group thousands too (``1.234,5``, not
    ``12.5`` or ``1.2.3.4``).
    """
    raw = pl.col(column).cast(pl.String).str.strip_chars().str.replace_all("\u2212", "-")
    decimal = "," if decimal_comma else r"\."
    tail = rf"(?:{decimal}\d+)?(?:[eE][-+]?\d+)?"
    grouped = rf"^[-+]?\d{{1,3}}(?:{_SPACES}\d{{3}})+{tail}$"
    ok = ~raw.str.contains(_SPACES) | raw.str.contains(grouped)
    text = raw.str.replace_all(_SPACES, "")
    if decimal_comma:
        if thousands_point:
            points = r"^[-+]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$"
            ok = ok & (~text.str.contains(".", literal=True) | text.str.contains(points))
            text = text.str.replace_all(".", "", literal=True)
        else:
            ok = ok & ~text.str.contains(".", literal=True)
        text = text.str.replace_all(",", ".", literal=True)
    value = pl.when(ok).then(text).cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)  # "inf", "NaN", 1e400: not amounts


def integer_expr(column: str, decimal_comma: bool, thousands_point: bool = False) -> pl.Expr:
    """An expression parsing a text column as a whole number; fractions and text become null."""
    value = number_expr(column, decimal_comma, thousands_point)
    return pl.when(value == value.round(0)).then(value).otherwise(None).cast(pl.Int64, strict=False)
