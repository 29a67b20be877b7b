"""The reference: W1 and W2 as a direct Polars program, the limit rfm's engine is measured against.

It does the same work as ``rfm.run`` on the workloads, written straight in Polars by someone
who knows both the models and Polars, without a framework around it:

* reads each file once (its bytes hashed with SHA-256, as rfm records its inputs) with
  Polars' CSV reader and a fixed schema;
* validates with the same rules: types, no missing or negative values, no key twice (a hash
  of the key columns), ages that parse (on the ~100 distinct labels, not on every row), every
  area with rows in every data year a budget year needs, every band's ages present;
* computes the same lineage: one row per model, recipient, budget year and component with its
  volume, rate and amount (volume × rate), and a basis kept as structured columns (the
  parameter and the figures behind the rate), not formatted text;
* returns the rows in canonical order (model, recipient, year, component).

The formulas are those of benchmarks/naive.py (and of rfm's model types):

* W1 äldreomsorg: Σ_age∈band population(kommun, age, t − 1) × kr per inhabitant(band);
* W1 IFO: population(kommun, t − 1) × standardkostnad(kommun, t − 1) × 1.05;
* W2: points = weight_v × X_v(area, t − 1); kr per point = budget(t) ÷ Σ points; amount =
  points × kr per point.

``benchmarks/run.py`` times :func:`w1` and :func:`w2` beside rfm's engine in fresh processes and
checks that both give the same rows and amounts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
from naive import IFO_UPLIFT, W1_BANDS, W2_BUDGET
from workloads import BUDGET_YEARS, NEED_VARIABLES

LAG = 1
DATA_YEARS = [y - LAG for y in BUDGET_YEARS]


class InputProblem(Exception):
    """A row the reference refuses, named as rfm names it (file, row, column)."""


def _read(path: Path, schema: dict[str, pl.DataType]) -> tuple[pl.DataFrame, str]:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    frame = pl.read_csv(data, schema=schema).with_row_index("_row", offset=2)
    return frame, digest


def _refuse(frame: pl.DataFrame, bad: pl.Expr, file: str, what: str) -> None:
    failing = frame.filter(bad)
    if failing.height:
        raise InputProblem(f"{file}, row {failing.item(0, '_row')}: {what}")


def _check_keys(frame: pl.DataFrame, keys: list[str], file: str) -> None:
    _refuse(frame, pl.struct(keys).is_duplicated(), file, f"{', '.join(keys)} twice")


def _check_cover(frame: pl.DataFrame, file: str) -> None:
    """Every area has rows in every data year the budget years need."""
    have = (
        frame.filter(pl.col("year").is_in(DATA_YEARS))
        .group_by("area")
        .agg(pl.col("year").n_unique().alias("n"))
    )
    _refuse(have.with_row_index("_row"), pl.col("n") != len(DATA_YEARS), file, "a year missing")


def w1(folder: Path) -> pl.DataFrame:
    """W1's lineage: äldreomsorg per kommun, year and band; IFO per kommun and year."""
    population, _ = _read(
        folder / "befolkning.csv",
        {"area": pl.String, "year": pl.Int64, "age": pl.String, "count": pl.Float64},
    )
    costs, _ = _read(
        folder / "standardkostnad.csv",
        {"area": pl.String, "year": pl.Int64, "standard_cost": pl.Float64},
    )
    for frame, file in ((population, "befolkning.csv"), (costs, "standardkostnad.csv")):
        value = "count" if file == "befolkning.csv" else "standard_cost"
        _refuse(frame, pl.any_horizontal(pl.all().is_null()), file, "a value missing")
        _refuse(frame, pl.col(value) < 0, file, f"{value} below 0")
    _check_keys(population, ["area", "year", "age"], "befolkning.csv")
    _check_keys(costs, ["area", "year"], "standardkostnad.csv")
    _check_cover(population, "befolkning.csv")
    # Ages parsed on the distinct labels ("0" … "99", "100+"), then joined back.
    labels = population.select(pl.col("age").unique())
    ages = labels.with_columns(
        pl.col("age").str.extract(r"^(\d+)\+?$").cast(pl.Int64).alias("lo")
    ).with_columns(
        pl.when(pl.col("age").str.ends_with("+")).then(130).otherwise(pl.col("lo")).alias("hi")
    )
    _refuse(ages.with_row_index("_row"), pl.col("lo").is_null(), "befolkning.csv", "an age")
    band_of = pl.DataFrame(
        {
            "band": list(W1_BANDS),
            "b_lo": [lo for lo, _, _ in W1_BANDS.values()],
            "b_hi": [hi for _, hi, _ in W1_BANDS.values()],
            "rate": [price for _, _, price in W1_BANDS.values()],
        }
    )
    age_bands = ages.join_where(
        band_of, pl.col("lo") >= pl.col("b_lo"), pl.col("hi") <= pl.col("b_hi")
    )
    missing = band_of.join(
        age_bands.group_by("band").agg((pl.col("hi") - pl.col("lo") + 1).sum().alias("n")),
        on="band",
        how="left",
    ).filter(pl.col("n").fill_null(0) != pl.col("b_hi") - pl.col("b_lo") + 1)
    if missing.height:
        raise InputProblem(f"befolkning.csv: ages missing in band {missing.item(0, 'band')}")
    rows = population.filter(pl.col("year").is_in(DATA_YEARS))
    elderly = (
        rows.join(age_bands.select("age", "band", "rate"), on="age", how="inner")
        .group_by("area", "year", "band")
        .agg(pl.col("count").sum().alias("volume"), pl.col("rate").first())
        .select(
            pl.lit("aldreomsorg").alias("model"),
            pl.col("area").alias("recipient"),
            (pl.col("year") + LAG).alias("year"),
            pl.col("band").alias("component"),
            "volume",
            "rate",
            pl.lit("aldreomsorg.bands").alias("basis_parameter"),
            pl.lit(2024).alias("basis_from"),
            pl.lit(None, pl.Float64).alias("basis_figure"),
        )
    )
    ifo = (
        rows.group_by("area", "year")
        .agg(pl.col("count").sum().alias("volume"))
        .join(costs.select("area", "year", "standard_cost"), on=["area", "year"], how="left")
    )
    _refuse(ifo.with_row_index("_row"), pl.col("standard_cost").is_null(), "standardkostnad.csv",
            "a kommun and year without a standard cost")  # fmt: skip
    ifo = ifo.select(
        pl.lit("ifo").alias("model"),
        pl.col("area").alias("recipient"),
        (pl.col("year") + LAG).alias("year"),
        pl.lit("invånare 0+").alias("component"),
        "volume",
        (pl.col("standard_cost") * (1 + IFO_UPLIFT)).alias("rate"),
        pl.lit("ifo.uplift").alias("basis_parameter"),
        pl.lit(2023).alias("basis_from"),
        pl.col("standard_cost").alias("basis_figure"),
    )
    return _finish(pl.concat([elderly, ifo]))


def w2(folder: Path) -> pl.DataFrame:
    """W2's lineage: one row per area, budget year and need variable."""
    variables = list(NEED_VARIABLES)
    need, _ = _read(
        folder / "behov.csv",
        {"area": pl.String, "year": pl.Int64, **dict.fromkeys(variables, pl.Float64)},
    )
    _refuse(need, pl.any_horizontal(pl.all().is_null()), "behov.csv", "a value missing")
    _refuse(need, pl.any_horizontal(pl.col(variables) < 0), "behov.csv", "a value below 0")
    _check_keys(need, ["area", "year"], "behov.csv")
    _check_cover(need, "behov.csv")
    weights = pl.DataFrame(
        {"component": variables, "weight": [w for _, w in NEED_VARIABLES.values()]}
    )
    budget = pl.DataFrame(
        {
            "year": list(BUDGET_YEARS),
            "total": [W2_BUDGET[max(y for y in W2_BUDGET if y <= t)] for t in BUDGET_YEARS],
        }
    )
    # In canonical order by construction: the wide table (one row per area and year) sorted
    # once; unpivoted, its rows come variable by variable, so they are gathered area by area
    # (row j of variable c is at c × n + j); the million-row result is never sorted, and the
    # weights and rates are looked up by value, not joined.
    components = sorted(variables)
    weight_of = dict(zip(weights["component"], weights["weight"], strict=True))
    wide = need.filter(pl.col("year").is_in(DATA_YEARS)).sort("area", "year")
    n, k = wide.height, len(components)
    place = pl.int_range(n * k, eager=True)
    long = (
        wide.select("area", (pl.col("year") + LAG).alias("year"), *components)
        .unpivot(index=["area", "year"], on=components, variable_name="component")
        .gather((place % k) * n + place // k)
        .with_columns(
            (pl.col("value") * pl.col("component").replace_strict(weight_of, return_dtype=pl.Float64)).alias("volume")
        )
    )  # fmt: skip
    rate = (
        long.group_by("year")
        .agg(pl.col("volume").sum().alias("points"))
        .join(budget, on="year")
        .select("year", (pl.col("total") / pl.col("points")).alias("rate"))
    )
    rate_of = dict(zip(rate["year"], rate["rate"], strict=True))
    rows = long.select(
        pl.lit("behovsnyckel").alias("model"),
        pl.col("area").alias("recipient"),
        "year",
        "component",
        "volume",
        pl.col("year").replace_strict(rate_of, return_dtype=pl.Float64).alias("rate"),
        pl.lit("budget").alias("basis_parameter"),
        pl.lit(2024).alias("basis_from"),
        pl.col("value").alias("basis_figure"),
    )
    return rows.with_columns((pl.col("volume") * pl.col("rate")).alias("amount"))


def _finish(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns((pl.col("volume") * pl.col("rate")).alias("amount")).sort(
        "model", "recipient", "year", "component"
    )


def main() -> None:
    """``python benchmarks/direct.py w1|w2|w2large FOLDER OUT.csv``: the reference as a program,
    run the way ``rfm run … --format csv --out`` is (fresh process, files in, CSV out)."""
    import os
    import sys
    import tempfile

    name, folder, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    rows = (w1 if name == "w1" else w2)(folder)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    os.close(handle)
    rows.write_csv(temporary)
    Path(temporary).replace(out)


if __name__ == "__main__":
    main()
