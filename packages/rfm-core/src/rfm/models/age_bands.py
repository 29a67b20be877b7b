"""``age_bands``: population in age bands × kr per inhabitant in each band (ÄO-style).

    amount(r, t) = Σ_band  N_band(r, t) × pris_band(t)

N_band is the population of recipient r whose age falls in the band, in budget year t (or the
mean of the year-ends t−1 and t; see :class:`~rfm.models.common.VolumeSettings`); pris_band(t)
is the decided kr per inhabitant in force in year t. Population rows may be single years of age
or age groups; a group that straddles two bands is refused, since it cannot be split honestly.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rfm.errors import ConfigError, ModelError
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, cite, rates
from rfm.models.frames import with_basis
from rfm.schemas.age import age_bounds, parse_age_label


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
        population = ctx.dataset(self.volume.dataset)
        low, high = age_bounds("age")
        ages = population.select(pl.col("age").unique()).with_columns(
            low.alias("lo"), high.alias("hi")
        )
        bands = pl.DataFrame(
            {
                "component": list(self.bands),
                "band_lo": [b[0] for b in self.bands.values()],
                "band_hi": [b[1] for b in self.bands.values()],
            },
            schema={"component": pl.String, "band_lo": pl.Int64, "band_hi": pl.Int64},
        )
        pairs = ages.join(bands, how="cross")
        overlap = (pl.col("lo") <= pl.col("band_hi")) & (pl.col("band_lo") <= pl.col("hi"))
        inside = (pl.col("lo") >= pl.col("band_lo")) & (pl.col("hi") <= pl.col("band_hi"))
        straddling = pairs.filter(overlap & ~inside)
        if straddling.height:
            first = straddling.row(0, named=True)
            raise ModelError(
                f"{self.config.where}: the population in dataset {self.volume.dataset!r} has the "
                f"age group {first['age']!r}, which straddles the band {first['component']!r}; "
                "give single years of age or groups that fit inside the bands"
            )
        age_to_band = pairs.filter(inside).select("age", "component")
        in_bands = population.join(age_to_band, on="age", how="inner")
        volumes = self.volume.volumes(
            self.volume.map_areas(ctx, in_bands, years), years, ["component"], "count"
        )

        recipients = (
            pl.DataFrame({"recipient": [self.volume.recipient]}, schema={"recipient": pl.String})
            if self.volume.recipient is not None
            else volumes.select("recipient").unique()
        )
        grid = recipients.join(
            pl.DataFrame({"year": list(years)}, schema={"year": pl.Int64}), how="cross"
        ).join(bands.select("component"), how="cross")
        table = rates(ctx, self.band_keys, years)
        table = with_basis(
            table, lambda r: cite(r["value"], r["unit"], r["source"], r["from_year"])
        )
        return (
            grid.join(volumes, on=["recipient", "year", "component"], how="left")
            .join(table, on=["component", "year"], how="left")
            .select(
                pl.lit(self.id).alias("model"),
                "recipient",
                "year",
                "component",
                pl.col("volume").fill_null(0.0),
                pl.lit(self.volume_unit).alias("volume_unit"),
                pl.col("value").alias("rate"),
                pl.lit(self.rate_unit).alias("rate_unit"),
                "basis",
            )
        )
