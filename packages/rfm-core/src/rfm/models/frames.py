"""Small frame builders the model types share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from rfm.contract import FIGURE_COLUMNS


def with_basis(table: pl.DataFrame, make: Callable[[dict[str, Any]], str]) -> pl.DataFrame:
    """Add a ``basis`` column built row by row (tables of rates are small: components × years)."""
    return table.with_columns(
        pl.Series("basis", [make(r) for r in table.iter_rows(named=True)], dtype=pl.String)
    )


def years_frame(years: Sequence[int]) -> pl.DataFrame:
    return pl.DataFrame({"year": list(years)}, schema={"year": pl.Int64})


def model_rows(
    frame: pl.DataFrame, model: str, volume_unit: str | pl.Expr, rate_unit: str | pl.Expr
) -> pl.DataFrame:
    """Select the model columns from a frame with recipient, year, component, volume, rate, basis
    (text, or a template whose slots are filled from ``basis_x``/``basis_y``: see rfm.basis).

    A ``gap`` column (the note of a declared gap, see :mod:`rfm.coverage`) is added to the basis
    of the rows it touches. A missing volume or rate stays missing: the contract refuses it.
    """
    vu = pl.lit(volume_unit) if isinstance(volume_unit, str) else volume_unit
    ru = pl.lit(rate_unit) if isinstance(rate_unit, str) else rate_unit
    if "gap" in frame.columns and frame.get_column("gap").null_count() < frame.height:
        frame = frame.with_columns(
            pl.when(pl.col("gap").is_not_null())
            .then(pl.col("basis").cast(pl.String) + pl.lit(" — ") + pl.col("gap"))
            .otherwise(pl.col("basis").cast(pl.String))
            .alias("basis")
        )
    figures = [pl.col(c) for c in FIGURE_COLUMNS if c in frame.columns]
    # A model's name and units as Categorical: the same text on every row, held once
    return frame.select(
        pl.lit(model, pl.String).cast(pl.Categorical).alias("model"),
        _text(frame, "recipient"),
        pl.col("year").cast(pl.Int64),
        _text(frame, "component"),
        pl.col("volume").cast(pl.Float64),
        vu.cast(pl.String).cast(pl.Categorical).alias("volume_unit"),
        pl.col("rate").cast(pl.Float64),
        ru.cast(pl.String).cast(pl.Categorical).alias("rate_unit"),
        _text(frame, "basis"),
        *figures,
    )


def _text(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A text column as text, or as it is when it is Categorical already (as the run holds it:
    a million rows' names are not spelled out only to be made Categorical again)."""
    if frame.schema[column] == pl.Categorical:
        return pl.col(column)
    return pl.col(column).cast(pl.String)
