"""Checks of a population table as a whole: every inhabitant counted once.

A population file may give single years of age (``85``), age groups (``80-89``) and open groups
(``90+``), by sex or in total. Two rows whose ages overlap for the same area, year and sex count
the same people twice: ``65-79`` beside ``70``, ``90+`` beside ``95`` and ``90 eller äldre``, or
``065`` beside ``65``. Comparing the labels as text misses all of these, so the rows are compared
as age intervals. A row in total (``totalt``) overlaps the rows by sex of the same ages, and a
table that gives some areas by sex and others in total cannot be read one way: both are refused.
"""

from __future__ import annotations

import polars as pl

from rfm.errors import Location, Problem
from rfm.io.table import ROW
from rfm.schemas.age import age_labels, labels_apart

REPEATS_HINT = (
    "each area, year, age (and sex) once. Rows that repeat the same ages come from a dimension "
    "of the file that rfm does not read: Kön (read it as the column sex: columns = { Kon = "
    '"sex" }), civilstånd or inrikes/utrikes född (sum over it). rfm scb population KOMMUNKOD '
    "--sex total (or each) fetches SCB's population summed over them"
)
"""What a file of repeated rows most likely means, said once before the rows themselves."""


def overlapping_ages(frame: pl.DataFrame, file: str) -> list[Problem]:
    """A problem for each row whose ages another row of the same area, year and sex also has."""
    if frame.height == 0 or "age" not in frame.columns:
        return []
    bounds = age_labels(frame).drop_nulls()  # a label that is no age is the schema's to name
    has_sex = "sex" in frame.columns
    sex = (pl.col("sex") if has_sex else pl.lit("totalt")).fill_null("totalt").alias("_sex")
    problems: list[Problem] = []
    kinds = set(frame.select(sex.unique())["_sex"].to_list())
    # distinct labels share no age, so rows overlap only by repeating a label: none does when
    # the rows come in strictly increasing order of area, year, sex and age (as statistics are
    # published), seen in one pass; else the rows are hashed to be sure
    if (
        not ("totalt" in kinds and kinds & {"m", "k"})
        and labels_apart(bounds)
        and (
            _strictly_ordered(frame, bounds, sex if has_sex else None)
            or not frame.select("area", "year", "age", sex).is_duplicated().any()
        )
    ):
        return problems
    rows = frame.select(ROW, "area", "year", "age", sex).join(bounds, on="age", how="inner")
    if "totalt" in kinds and kinds & {"m", "k"}:
        first_total = rows.filter(pl.col("_sex") == "totalt").sort(ROW).row(0, named=True)
        first_sex = rows.filter(pl.col("_sex") != "totalt").sort(ROW).row(0, named=True)
        problems.append(
            Problem(
                Location(file, first_total[ROW], "sex"),
                "one way of counting for the whole table: by sex (m, k) in every row, or in "
                f"total in every row (row {first_sex[ROW]} is by sex)",
                "totalt",
            )
        )
        return problems
    group = ("area", "year", "_sex")
    ordered = rows.sort(*group, "_lo", ROW).with_columns(
        pl.col("_hi").cum_max().shift(1).over(group).alias("_reach"),
        pl.col(ROW).shift(1).over(group).alias("_before"),
        pl.col("age").shift(1).over(group).alias("_before_age"),
        pl.col("_lo").shift(1).over(group).alias("_before_lo"),
        pl.col("_hi").shift(1).over(group).alias("_before_hi"),
    )
    clash = ordered.filter(pl.col("_lo") <= pl.col("_reach")).sort(ROW)
    repeats = clash.filter(
        (pl.col("_lo") == pl.col("_before_lo")) & (pl.col("_hi") == pl.col("_before_hi"))
    )
    if repeats.height >= 20 and repeats.height * 2 >= clash.height:  # a whole dimension, not a slip
        problems.append(Problem(Location(file), REPEATS_HINT))
    for r in clash.head(50).iter_rows(named=True):
        ages = str(r["_lo"]) if r["_lo"] == r["_hi"] else f"{r['_lo']}–{r['_hi']}"
        same = (r["_lo"], r["_hi"]) == (r["_before_lo"], r["_before_hi"])
        why = (
            f"this row repeats row {r['_before']} ({r['_before_age']!r}: the same ages)"
            if same
            else f"ages {ages} are also counted in row {r['_before']} ({r['_before_age']!r})"
        )
        problems.append(
            Problem(
                Location(file, r[ROW], "age"),
                f"each age once per area, year and sex; {why}",
                r["age"],
            )
        )
    return problems


def _strictly_ordered(frame: pl.DataFrame, bounds: pl.DataFrame, sex: pl.Expr | None) -> bool:
    """True when the areas come sorted and each row comes after the one before it in (area,
    year, sex, first age): then no two rows have the same area, year, sex and age label.

    ``sex`` is the sex as the hashing compares it (an empty cell is ``totalt``: a row without
    sex and a row in total of the same ages repeat each other). The areas are compared as runs
    of equal values (one pass over the text), the rest as numbers: much cheaper than hashing
    every row's key.
    """
    if not frame["area"].is_sorted():
        return False
    keys = [pl.col("area").rle_id(), pl.col("year")]
    if sex is not None:
        keys.append(sex.rank("dense"))
    if bounds.height == 0:
        return False
    age = pl.col("age").replace_strict(
        bounds["age"], bounds["_lo"], default=None, return_dtype=pl.Int64
    )
    numbers = frame.select(key.alias(f"k{i}") for i, key in enumerate([*keys, age]))  # each once
    if sum(numbers.null_count().row(0)):
        return False  # an age that is no age (reported by the schema), a year missing
    after = pl.lit(False)
    for name in reversed(numbers.columns):  # (k1, k2, …) > previous, lexicographically
        key, before = pl.col(name), pl.col(name).shift(1)
        after = (key > before) | ((key == before) & after)
    return bool(numbers.select(after.slice(1).all()).item())
