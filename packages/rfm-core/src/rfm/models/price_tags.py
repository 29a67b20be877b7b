"""``price_tags``: counts per category × price per category (LSS-utjämning style).

    amount(r, t) = Σ_category  antal(r, category, t) × prislapp(category, t) × vikt(category, t)

The counts come from a ``category_counts`` dataset (area, year, category, count) — every priced
category for every area and year, or a declared gap — or inline in the tenant file
(``counts = { personlig_assistans = { 2022 = 12 } }``), where a count is a fact of its year: it
is not carried into the next year (unless ``gaps = { means = "previous", … }`` says so). The weight defaults to 1;
the LSS-utjämning counts, for instance, children in bostad med särskild service at 1.25 of an
adult's price and familjehem at 0.45 (förordning 2008:776).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from rfm.contract import exact_product
from rfm.errors import ConfigError, ModelError
from rfm.formatting import number
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, facts, rates, refuse_negative
from rfm.models.frames import model_rows, with_basis


class PriceTags(Model):
    type_name = "price_tags"
    summary = "count per category × price per category (× weight)"
    config_keys = (*VOLUME_KEYS, "prices", "weights", "counts", "volume_unit")
    required_keys = ("prices",)

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "counts")
        self.volume_unit = str(config.table.get("volume_unit", "antal"))
        self.price_keys = {
            c: self.dated_parameter("prices", "kr/st", f"prislapp {c}", suffix=c)
            for c in self.mapping("prices")
        }
        self.weight_keys = {
            c: self.dated_parameter("weights", "vikt", f"vikt {c}", suffix=c)
            for c in (config.table.get("weights") or {})
        }
        unknown = set(self.weight_keys) - set(self.price_keys)
        if unknown:
            raise ConfigError(f"{config.where}.weights: no price for {', '.join(sorted(unknown))}")
        self.count_keys: dict[str, str] = {}
        if "counts" in config.table:
            if self.volume.recipient is None:
                raise ConfigError(f"{config.where}: inline 'counts' need a 'recipient'")
            self.count_keys = {
                c: self.dated_parameter("counts", self.volume_unit, f"antal {c}", suffix=c)
                for c in self.mapping("counts")
            }
            missing = sorted(set(self.price_keys) - set(self.count_keys))
            if missing:
                raise ConfigError(
                    f"{config.where}.counts: no count for {', '.join(missing)}, which has a "
                    "price; give its count (0 if there is none)"
                )
            unknown = set(self.count_keys) - set(self.price_keys)
            if unknown:
                raise ConfigError(
                    f"{config.where}.counts: no price for {', '.join(sorted(unknown))}"
                )

    def datasets(self) -> tuple[str, ...]:
        return () if self.count_keys else self.volume.datasets()

    def formula(self) -> str:
        source = "antal i tenantfilen" if self.count_keys else self.volume.describe()
        return (
            "belopp = Σ_kategori antal(kategori, år) × prislapp(kategori, år) × vikt(kategori, år); "
            f"kategorier {', '.join(self.price_keys)}; {source}"
        )

    def _volumes(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        if self.count_keys:
            lag = self.volume.lag  # the counts of budget year t are those of year t − lag
            counts = facts(
                ctx, self.count_keys, [y - lag for y in years], self.config.where, self.volume.gaps
            )
            refuse_negative(
                counts,
                "value",
                lambda r: (
                    f"{self.config.where}: the count of {r['component']!r} in "
                    f"{r['year']} is {r['value']}; a count is 0 or more"
                ),
            )
            return counts.select(
                pl.lit(self.volume.recipient, pl.String).alias("recipient"),
                (pl.col("year") + lag).alias("year"),
                "component",
                pl.col("value").alias("volume"),
                "gap",
            )
        data = ctx.dataset(self.volume.dataset)
        unpriced = set(data.get_column("category").unique().to_list()) - set(self.price_keys)
        if unpriced:
            raise ModelError(
                f"{self.config.where}: dataset {self.volume.dataset!r} has categories without a "
                f"price: {', '.join(sorted(unpriced))}"
            )
        return self.volume.volumes(
            ctx,
            data.rename({"category": "component"}),
            years,
            sums={"volume": "count"},
            keys={"component": list(self.price_keys)},
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        volumes = self._volumes(ctx, years)
        prices = rates(ctx, self.price_keys, years, self.config.where)
        weights = rates(ctx, self.weight_keys, years, self.config.where).select(
            "component",
            "year",
            pl.col("value").alias("weight"),
            pl.col("source").alias("weight_source"),
        )
        table = prices.join(weights, on=["component", "year"], how="left")
        refuse_negative(
            table,
            "weight",
            lambda r: (
                f"{self.config.where}: the weight of {r['component']!r} is {r['weight']} "
                f"in {r['year']} ({r['weight_source']}); a weight is 0 or more"
            ),
        )

        def basis(r: dict[str, Any]) -> str:
            text = f"prislapp {number(r['value'])} kr ({r['source']}, från {r['from_year']})"
            if r["weight"] is not None:
                text += f" × vikt {number(r['weight'])} ({r['weight_source']})"
            return text

        # A category without a weight is priced at its prislapp: the weight is 1 by definition
        # (förordning 2008:776 weighs only the categories it names), not a missing number.
        table = with_basis(table, basis).with_columns(
            exact_product(pl.col("value"), pl.coalesce(pl.col("weight"), pl.lit(1.0))).alias("rate")
        )
        joined = volumes.join(table, on=["component", "year"], how="left")
        return model_rows(joined, self.id, self.volume_unit, "kr/st")
