"""``distribution_key``: a fixed total split over recipients by need points.

    poäng(r, t)   = Σ_v  vikt_v(t) × X_v(r, t)          (or a ready ``points`` column)
    kr per poäng  = total(t) ÷ Σ_r poäng(r, t)
    amount(r, t)  = poäng(r, t) × kr per poäng           ⇒  Σ_r amount(r, t) = total(t)

This is the shape of a budget key (nyckel): Stockholm's ekonomiskt bistånd split over the
stadsdelsnämnder by a need index. The rate depends on every recipient's volume, so the key is
zero-sum: what one district gains another loses. Each variable is its own lineage component
(volume = vikt × X in points), so ``rfm explain`` shows which variable drives a district's share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from rfm.errors import ConfigError, ModelError
from rfm.formatting import number
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, rates
from rfm.models.frames import model_rows, with_basis


class DistributionKey(Model):
    type_name = "distribution_key"
    summary = "a fixed total split by need points: rate = total ÷ Σ points"
    config_keys = (*VOLUME_KEYS, "total", "variables", "points_column")
    required_keys = ("total",)

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "need")
        if self.volume.recipient is not None:
            raise ConfigError(
                f"{config.where}.recipient: a distribution key splits over many recipients; "
                "use recipient_column"
            )
        if self.volume.reference != "year":
            raise ConfigError(f"{config.where}.population_reference: not used by distribution keys")
        self.total_key = self.dated_parameter("total", "kr", "belopp att fördela")
        table = config.table
        if ("variables" in table) == ("points_column" in table):
            raise ConfigError(
                f"{config.where}: give exactly one of 'variables' (weights per column) and "
                "'points_column' (a ready need-points column)"
            )
        self.weight_keys = {
            v: self.dated_parameter("variables", "vikt", f"vikt för {v}", suffix=v)
            for v in (table.get("variables") or {})
        }
        self.points_column = table.get("points_column")

    def datasets(self) -> tuple[str, ...]:
        return self.volume.datasets()

    def formula(self) -> str:
        points = (
            " + ".join(f"vikt({v}) × {v}" for v in self.weight_keys)
            if self.weight_keys
            else str(self.points_column)
        )
        return (
            f"poäng = {points}; kr per poäng = total(år) ÷ Σ poäng; belopp = poäng × kr per poäng "
            f"(summan av beloppen = total); {self.volume.describe()}"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        data = ctx.dataset(self.volume.dataset)
        variables = list(self.weight_keys) or [str(self.points_column)]
        missing = [v for v in variables if v not in data.columns]
        if missing:
            raise ModelError(
                f"{self.config.where}: dataset {self.volume.dataset!r} has no column(s) "
                f"{', '.join(missing)}"
            )
        long = data.unpivot(
            index=[c for c in data.columns if c not in variables],
            on=variables,
            variable_name="component",
            value_name="value",
        )
        raw = self.volume.volumes(
            self.volume.map_areas(ctx, long, years), years, ["component"], "value"
        )
        if self.weight_keys:
            weights = rates(ctx, self.weight_keys, years).select(
                "component",
                "year",
                pl.col("value").alias("weight"),
                pl.col("source").alias("weight_source"),
            )
        else:
            weights = (
                raw.select("component", "year")
                .unique()
                .with_columns(
                    pl.lit(1.0).alias("weight"), pl.lit(None, pl.String).alias("weight_source")
                )
            )
        points = raw.join(weights, on=["component", "year"], how="left").with_columns(
            (pl.col("volume") * pl.col("weight")).alias("points")
        )
        negative = points.filter(pl.col("points") < 0)
        if negative.height:
            first = negative.row(0, named=True)
            raise ModelError(
                f"{self.config.where}: negative need points for {first['recipient']!r} "
                f"({first['component']}, {first['year']}); a key needs points ≥ 0"
            )
        sums = points.group_by("year").agg(pl.col("points").sum().alias("sum_points"))
        totals = rates(ctx, {"total": self.total_key}, years).select(
            "year", pl.col("value").alias("total"), "source"
        )
        per_year = totals.join(sums, on="year", how="left")
        empty = per_year.filter(pl.col("sum_points").fill_null(0) <= 0)
        if empty.height:
            raise ModelError(
                f"{self.config.where}: the need points sum to zero in "
                f"{', '.join(map(str, empty['year'].to_list()))}; nothing to split by"
            )
        per_year = per_year.with_columns((pl.col("total") / pl.col("sum_points")).alias("rate"))

        def basis(r: dict[str, Any]) -> str:
            text = f"{number(r['total'])} kr ({r['source']}) ÷ {number(r['sum_points'])} poäng"
            if r["weight_source"] is not None:
                text += f"; poäng = vikt {number(r['weight'])} ({r['weight_source']}) × {r['component']}"
            return text

        # The rate and its basis per year and variable: a small table, formatted in Python.
        explained = with_basis(weights.join(per_year, on="year", how="inner"), basis)
        joined = points.drop("weight", "weight_source").join(
            explained.select("component", "year", "rate", "basis"),
            on=["component", "year"],
            how="left",
        )
        return model_rows(
            joined.with_columns(pl.col("points").alias("volume")), self.id, "poäng", "kr/poäng"
        )
