"""``age_bands``: population in age bands × kr per inhabitant in each band (ÄO-style).

    amount(r, t) = Σ_band  N_band(r, t) × pris_band(t)

N_band is the population of recipient r whose age falls in the band, in budget year t (or the
mean of the year-ends t−1 and t; see :class:`~rfm.models.common.VolumeSettings`); pris_band(t)
is the decided kr per inhabitant in force in year t. Population rows may be single years of age
or age groups; a group that straddles two bands is refused, since it cannot be split honestly,
and every age of every band must be in the data for every area and year (:mod:`rfm.coverage`).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rfm.errors import ConfigError
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, cite, population_bands, rates
from rfm.models.frames import model_rows, with_basis
from rfm.schemas.age import parse_age_label


class AgeBands(Model):
    type_name = "age_bands"
    summary = "population per age band × kr per inhabitant in the band"
    config_keys = (*VOLUME_KEYS, "bands", "volume_unit")
    required_keys = ("bands",)

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "population")
        self.rate_unit = "kr/invånare"
        self.volume_unit = str(config.table.get("volume_unit", "invånare"))
        self.bands: dict[str, tuple[int, int]] = {}
        self.band_keys: dict[str, str] = {}
        for label in self.mapping("bands"):
            bounds = parse_age_label(label, f"{config.where}.bands")
            for other, (lo, hi) in self.bands.items():
                if bounds[0] <= hi and lo <= bounds[1]:
                    raise ConfigError(f"{config.where}.bands: {label!r} overlaps {other!r}")
            self.bands[label] = bounds
            self.band_keys[label] = self.dated_parameter(
                "bands", self.rate_unit, f"ersättning per invånare {label} år", suffix=label
            )

    def datasets(self) -> tuple[str, ...]:
        return self.volume.datasets()

    def formula(self) -> str:
        bands = ", ".join(self.bands)
        return (
            "belopp = Σ_åldersgrupp invånare(åldersgrupp, år) × ersättning per invånare"
            f"(åldersgrupp, år); åldersgrupper {bands}; {self.volume.describe()}"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        volumes = population_bands(ctx, self.volume, self.bands, years)
        table = rates(ctx, self.band_keys, years, self.config.where)
        table = with_basis(
            table, lambda r: cite(r["value"], r["unit"], r["source"], r["from_year"])
        )
        joined = volumes.join(table, on=["component", "year"], how="left")
        return model_rows(
            joined.with_columns(pl.col("value").alias("rate")),
            self.id,
            self.volume_unit,
            self.rate_unit,
        )
