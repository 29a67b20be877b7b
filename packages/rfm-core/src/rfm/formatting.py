"""Numbers the Swedish way: ``1 234 567``, ``0,05``, ``5 %``. Used in tables and in ``basis``."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def number(value: float | Decimal, decimals: int | None = None) -> str:
    """``1234567.5`` → ``"1 234 567,5"``; trailing zeros trimmed when ``decimals`` is None."""
    if value is None or (isinstance(value, float | Decimal) and not math.isfinite(value)):
        return str(value)
    text = f"{value:,.6f}".rstrip("0").rstrip(".") if decimals is None else f"{value:,.{decimals}f}"
    if text in ("-0", "-0.0"):
        text = text[1:]
    return text.replace(",", " ").replace(".", ",")


def kr(value: float | Decimal) -> str:
    """Whole kronor with spaces between thousands, rounded half-up (16 347,5 → 16 348)."""
    from rfm.transitions.rounding import round_to

    return number(round_to(value), 0)


def half_up(value: float | Decimal, decimals: int = 0) -> str:
    """A number rounded half-up to ``decimals`` on its exact decimal (10,125 → ``10,13``):
    Python's round() rounds half to even and would show 10,12."""
    from decimal import ROUND_HALF_UP

    from rfm.money import to_decimal

    exact = to_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number(exact, decimals)


def percent(share: float, decimals: int = 1) -> str:
    """A share as percent: ``0.05`` → ``"5 %"``, ``0.125`` → ``"12,5 %"``."""
    return f"{number(round(share * 100, decimals))} %"


def number_text_expr(expr: pl.Expr, decimals: int = 6) -> pl.Expr:
    """:func:`number` as a Polars expression, for text built over many rows at once.

    ``1234567.5`` → ``"1 234 567,5"``: rounded to ``decimals``, trailing zeros trimmed, spaces
    between thousands, a decimal comma. Nulls stay null.
    """
    import polars as pl  # here, so that plain number formatting does not load Polars

    scale = 10**decimals
    scaled = (expr * scale).round(0).cast(pl.Int64)
    whole = (scaled.abs() // scale).cast(pl.String)
    grouped = (
        whole.str.reverse().str.replace_all(r"(\d{3})", "$1 ").str.reverse().str.strip_chars(" ")
    )
    fraction = (scaled.abs() % scale).cast(pl.String).str.zfill(decimals).str.strip_chars_end("0")
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    decimals_part = pl.when(fraction != "").then(pl.lit(",") + fraction).otherwise(pl.lit(""))
    text: pl.Expr = sign + grouped + decimals_part
    return text


def such_rows(count: int) -> str:
    """``"1 such row"`` or ``"3 such rows"``: how many rows an error is about."""
    return "1 such row" if count == 1 else f"{count} such rows"
