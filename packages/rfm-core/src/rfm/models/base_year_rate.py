"""``base_year_rate``: volume × an ersättningsbelopp derived from a base year's cost and volume.

    ersättningsbelopp = nettokostnad(basår) ÷ volym(basår)
    amount(r, t)      = volym(r, t) × ersättningsbelopp

The local prislapp of DOMAIN §1.3: Vaggeryd's hälso- och sjukvård model takes the cost of the
base year from the accounts and divides it by the volume of that year, then pays that amount per
unit of volume in the budget years. Both the cost and the base volume are dated parameters with
their sources, so the derivation is on record and a new base year is a new dated value, never an
edit. The two must come from the same year: a cost of 2021 divided by a volume of 2022 is refused.
The volume in the budget years is the population in ``ages`` (all ages by default).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rfm.errors import ConfigError, ModelError
from rfm.formatting import number
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, population_in_ages, rates
from rfm.models.frames import model_rows
from rfm.schemas.age import parse_age_label


class BaseYearRate(Model):
    type_name = "base_year_rate"
    summary = "volume × (base-year cost ÷ base-year volume)"
    config_keys = (*VOLUME_KEYS, "base_cost", "base_volume", "ages", "volume_unit")
    required_keys = ("base_cost", "base_volume")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "population")
        self.volume_unit = str(config.table.get("volume_unit", "invånare"))
        self.cost_key = self.dated_parameter("base_cost", "kr", "nettokostnad i basåret")
        self.base_volume_key = self.dated_parameter(
            "base_volume", self.volume_unit, "volym i basåret"
        )
        ages = config.table.get("ages", "0+")
        if not isinstance(ages, str):
            raise ConfigError(f'{config.where}.ages: expected an age group such as "80+"')
        self.ages = parse_age_label(ages, f"{config.where}.ages")
        self.ages_label = ages

    def datasets(self) -> tuple[str, ...]:
        return self.volume.datasets()

    def formula(self) -> str:
        return (
            f"belopp = {self.volume_unit} {self.ages_label}(år) × ersättningsbelopp; "
            "ersättningsbelopp = nettokostnad(basår) ÷ volym(basår); "
            f"{self.volume.describe()}"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        costs = rates(ctx, {"cost": self.cost_key}, years, self.config.where)
        base = rates(ctx, {"volume": self.base_volume_key}, years, self.config.where)
        table = costs.join(base, on="year", suffix="_v")
        mismatch = table.filter(pl.col("from_year") != pl.col("from_year_v"))
        if mismatch.height:
            first = mismatch.row(0, named=True)
            raise ModelError(
                f"{self.config.where}: for {first['year']} the base cost is from "
                f"{first['from_year']} but the base volume from {first['from_year_v']}; "
                "a rate is derived from one base year"
            )
        zero = table.filter(pl.col("value_v") <= 0)
        if zero.height:
            raise ModelError(
                f"{self.config.where}: the base volume for {zero.item(0, 'year')} is "
                f"{zero.item(0, 'value_v')}; it must be above zero to divide by"
            )
        table = table.with_columns(
            (pl.col("value") / pl.col("value_v")).alias("rate"),
            pl.Series(
                "basis",
                [
                    f"ersättningsbelopp = nettokostnad {number(r['value'])} kr ({r['source']}) "
                    f"÷ {number(r['value_v'])} {self.volume_unit} ({r['source_v']}), "
                    f"basår {r['from_year']}"
                    for r in table.iter_rows(named=True)
                ],
                dtype=pl.String,
            ),
        ).select("year", "rate", "basis")
        volumes = population_in_ages(ctx, self.volume, self.ages, years)
        joined = volumes.join(table, on="year", how="left").with_columns(
            pl.lit(f"{self.volume_unit} {self.ages_label}").alias("component")
        )
        return model_rows(joined, self.id, self.volume_unit, f"kr/{self.volume_unit}")
