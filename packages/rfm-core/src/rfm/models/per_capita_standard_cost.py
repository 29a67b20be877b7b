"""``per_capita_standard_cost``: population × standard cost per inhabitant × (1 + uplift).

    amount(r, t) = invånare(r, t) × standardkostnad(t) × (1 + uppräkning(t))

The IFO model of Vaggeryd is this: SCB's standardkostnad for individ- och familjeomsorg from the
kostnadsutjämning, raised by 10 % until budget 2022 and by 5 % from budget 2023. The standard
cost is either one dated parameter (``standard_cost = { 2023 = 5600 }``) or, for many
municipalities at once, a ``standard_costs`` dataset by area and year
(``standard_cost_dataset = "standardkostnad"``). ``ages = "0-130"`` restricts the population
counted (all ages by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from rfm import basis
from rfm.contract import exact_product, exact_sum
from rfm.errors import ConfigError, ModelError
from rfm.formatting import percent, such_rows
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, population_in_ages, rates
from rfm.models.frames import model_rows, with_basis
from rfm.schemas.age import parse_age_label


class PerCapitaStandardCost(Model):
    type_name = "per_capita_standard_cost"
    summary = "population × standard cost per inhabitant × (1 + uplift)"
    config_keys = (*VOLUME_KEYS, "standard_cost", "standard_cost_dataset", "uplift", "ages")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "population")
        table = config.table
        if ("standard_cost" in table) == ("standard_cost_dataset" in table):
            raise ConfigError(
                f"{config.where}: give exactly one of 'standard_cost' (dated kr/invånare) and "
                "'standard_cost_dataset' (a dataset by area and year)"
            )
        self.cost_key = (
            self.dated_parameter("standard_cost", "kr/invånare", "standardkostnad per invånare")
            if "standard_cost" in table
            else None
        )
        self.cost_dataset = table.get("standard_cost_dataset")
        if self.cost_dataset is not None and not isinstance(self.cost_dataset, str):
            raise ConfigError(f"{config.where}.standard_cost_dataset: expected a dataset name")
        self.uplift_key = (
            self.dated_parameter("uplift", "andel", "uppräkning av standardkostnaden")
            if "uplift" in table
            else None
        )
        ages = table.get("ages", "0+")
        if not isinstance(ages, str):
            raise ConfigError(f'{config.where}.ages: expected an age group such as "0+"')
        self.ages = parse_age_label(ages, f"{config.where}.ages")
        self.ages_label = ages

    def datasets(self) -> tuple[str, ...]:
        extra = (self.cost_dataset,) if self.cost_dataset else ()
        return (*self.volume.datasets(), *extra)

    def formula(self) -> str:
        uplift = " × (1 + uppräkning(år))" if self.uplift_key else ""
        return (
            f"belopp = invånare(år) × standardkostnad per invånare(år){uplift}; "
            f"åldrar {self.ages_label}; {self.volume.describe()}"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        by_area = self.cost_dataset is not None  # each area's inhabitants at its own cost
        volumes = population_in_ages(ctx, self.volume, self.ages, years, by_area=by_area)
        uplift = (
            rates(ctx, {"u": self.uplift_key}, years).select(
                "year", pl.col("value").alias("uplift"), pl.col("source").alias("uplift_source")
            )
            if self.uplift_key
            else pl.DataFrame(
                {
                    "year": list(years),
                    "uplift": [0.0] * len(years),
                    "uplift_source": [None] * len(years),
                },
                schema={"year": pl.Int64, "uplift": pl.Float64, "uplift_source": pl.String},
            )
        )
        if self.cost_key:
            costs = rates(ctx, {"c": self.cost_key}, years).select(
                "year", pl.col("value").alias("cost"), pl.col("source").alias("cost_source")
            )
            joined = volumes.join(costs, on="year", how="left")
        else:
            assert self.cost_dataset is not None
            data = ctx.dataset(self.cost_dataset)
            costs = data.select(
                pl.col("area").cast(pl.String).alias("_area"),
                (pl.col("year") + self.volume.lag).alias("year"),
                pl.col("standard_cost").alias("cost"),
                pl.lit(f"dataset {self.cost_dataset}").alias("cost_source"),
            )
            joined = volumes.join(costs, on=["_area", "year"], how="left")
            missing = joined.filter(pl.col("cost").is_null())
            if missing.height:
                first = missing.row(0, named=True)
                raise ModelError(
                    f"{self.config.where}: dataset {self.cost_dataset!r} has no standard cost "
                    f"for area {first['_area']!r} in {first['year']} ({such_rows(missing.height)})"
                )
        joined = joined.join(uplift, on="year", how="left")
        below = joined.filter(pl.col("uplift") <= -1)
        if below.height:
            first = below.row(0, named=True)
            raise ModelError(
                f"{self.config.where}: the uplift is {first['uplift']} in {first['year']} "
                f"({first['uplift_source']}); 1 + uplift must stay above 0"
            )

        def template(r: dict[str, Any]) -> str:
            """The basis of the rows of one cost source and uplift; each row's own standard
            cost goes in the slot (see rfm.basis)."""
            text = (
                f"standardkostnad {basis.figure('x')} kr/invånare ({basis.text(r['cost_source'])})"
            )
            if r["uplift_source"] is not None:
                text += f" × (1 + {percent(r['uplift'])}) ({basis.text(r['uplift_source'])})"
            return text

        shared = ["cost_source", "uplift", "uplift_source"]
        templates = with_basis(joined.select(shared).unique(), template)
        joined = joined.join(
            templates.with_columns(pl.col("basis").cast(pl.Categorical)),
            on=shared,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        if joined.height == 0:
            raise ModelError(f"{self.config.where}: no population for the years asked")
        component = pl.lit(f"invånare {self.ages_label}")
        if by_area:  # one row per area when a recipient gathers several areas
            component = component + pl.lit(" (") + pl.col("_area") + pl.lit(")")
            component = (
                pl.when(pl.col("_area") == pl.col("recipient"))
                .then(pl.lit(f"invånare {self.ages_label}"))
                .otherwise(component)
            )
        joined = joined.with_columns(
            component.alias("component"),
            exact_product(pl.col("cost"), exact_sum(1.0, pl.col("uplift"))).alias("rate"),
            pl.col("cost").alias("basis_x"),
        )
        return model_rows(joined, self.id, "invånare", "kr/invånare")
