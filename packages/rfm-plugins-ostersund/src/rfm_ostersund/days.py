"""Paid days of särskilt boende and korttidsboende: occupied days plus a short vacancy tail.

The rules (Östersund's vård- och omsorgsnämnd, seed 002 §2.2.2), each a setting:

* a stay is paid from its first day (the day of the biståndsbeslut or moving in) to its last day
  (moving out, or death), both included: **belagda dygn**;
* when the place is vacated, payment goes on for ``vacancy_days`` more days (Östersund: two;
  "avdrag görs efter två dygn"): **tomma dygn**. The tail stops early if someone moves into the
  same place (so a place is never paid twice) and at the end of the period asked for;
* a stay without a last day is still going on: it is paid to the end of the period.

One row per unit, place, person and paid day, so that months, years and settlements are sums.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

OCCUPIED = "belagda dygn"
VACANT = "tomma dygn efter avflyttning"


def paid_days(stays: pl.DataFrame, vacancy_days: int, period_end: dt.date) -> pl.DataFrame:
    """Rows ``unit, place, person, date, kind`` for every paid day up to ``period_end``.

    ``stays`` has ``unit, place, person, from_date, to_date`` (dates; ``to_date`` null while the
    stay goes on). Stays must not overlap on one place; the schema and the model check that.
    """
    ordered = stays.sort("unit", "place", "from_date").with_columns(
        pl.col("from_date").shift(-1).over("unit", "place").alias("_next_from")
    )
    occupied = ordered.select(
        "unit",
        "place",
        "person",
        pl.date_ranges(
            "from_date",
            pl.min_horizontal(pl.col("to_date").fill_null(period_end), pl.lit(period_end)),
        ).alias("date"),
        pl.lit(OCCUPIED).alias("kind"),
    )
    tail_end = pl.min_horizontal(
        pl.col("to_date") + pl.duration(days=vacancy_days),
        pl.col("_next_from") - pl.duration(days=1),
        pl.lit(period_end),
    )
    vacant = (
        ordered.filter(pl.col("to_date").is_not_null() & (vacancy_days > 0))
        .with_columns(
            (pl.col("to_date") + pl.duration(days=1)).alias("_start"), tail_end.alias("_end")
        )
        .filter(pl.col("_start") <= pl.col("_end"))
        .select(
            "unit",
            "place",
            "person",
            pl.date_ranges("_start", "_end").alias("date"),
            pl.lit(VACANT).alias("kind"),
        )
    )
    return (
        pl.concat([occupied, vacant])
        .explode("date")
        .drop_nulls("date")
        .sort("unit", "place", "date")
    )


def overlapping_stays(stays: pl.DataFrame, key: str) -> pl.DataFrame:
    """Pairs of stays of one ``key`` (person, or unit and place) that share a day."""
    keys = [key] if key == "person" else ["unit", "place"]
    ordered = stays.with_row_index("_row").sort(*keys, "from_date")
    return ordered.with_columns(
        pl.col("to_date").shift(1).over(keys).alias("_previous_to"),
        pl.col("_row").shift(1).over(keys).alias("_previous_row"),
    ).filter(
        pl.col("_previous_row").is_not_null()
        & (pl.col("_previous_to").is_null() | (pl.col("_previous_to") >= pl.col("from_date")))
    )
