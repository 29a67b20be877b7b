"""``lss_standard_cost``: population × the LSS-utjämning's standard cost per inhabitant.

    S(t)                 = Σ_insats antal(insats, t) × prislapp(insats, t) × vikt(insats)
    standardkostnad(t)   = S(t) × personalkostnadsindex(t) × korrigeringsfaktor(t) ÷ invånare_utj(t)
    amount(r, t)         = invånare(r, t) × standardkostnad(t)

Förordning (2008:776) om utjämning av kostnader för stöd och service till vissa funktionshindrade
(§4–6 and its bilaga) computes a municipality's LSS standard cost this way. S is another model
of the tenant, a ``price_tags`` model over the insatser (named in ``insatser``), whose weights are
the regulation's: barn i bostad 1,25 and familjehem 0,45 of the adult housing price, personlig
assistans under SFB 0,50 of the LSS price, korttidstillsyn 0,55, avlösar- and ledsagarservice
0,25 and kontaktperson 0,10 of the korttidsvistelse price. The index, the correction factor and
the population the equalisation divided by (1 November the year before) are dated parameters.

Vaggeryd's LSS model (budget 2023) uses the result as its ersättningsbelopp: the standard cost
per inhabitant times the municipality's population of the budget year.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rfm.errors import ConfigError, ModelError
from rfm.formatting import number
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, population_in_ages, rates
from rfm.models.frames import model_rows
from rfm.schemas.age import OPEN_END


class LssStandardCost(Model):
    type_name = "lss_standard_cost"
    summary = "population × (Σ insatser × prislapp × vikt × PK-IX ÷ invånare), LSS-utjämningen"
    config_keys = (
        *VOLUME_KEYS,
        "insatser",
        "personnel_index",
        "correction",
        "equalisation_population",
    )
    required_keys = ("insatser", "personnel_index", "equalisation_population")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "population")
        self.insatser = config.table["insatser"]
        if not isinstance(self.insatser, str) or not self.insatser:
            raise ConfigError(f"{config.where}.insatser: expected the id of a price_tags model")
        self.index_key = self.dated_parameter(
            "personnel_index", "index", "personalkostnadsindex (PK-IX)"
        )
        self.correction_key = (
            self.dated_parameter("correction", "faktor", "korrigeringsfaktor")
            if "correction" in config.table
            else None
        )
        self.divisor_key = self.dated_parameter(
            "equalisation_population", "invånare", "invånare i utjämningen (1 november året före)"
        )

    def inputs(self) -> tuple[str, ...]:
        return (self.insatser,)

    def datasets(self) -> tuple[str, ...]:
        return self.volume.datasets()

    def formula(self) -> str:
        correction = " × korrigeringsfaktor(år)" if self.correction_key else ""
        return (
            "belopp = invånare(år) × standardkostnad per invånare(år); standardkostnad = "
            f"Σ_insats antal × prislapp × vikt ({self.insatser}) × PK-IX(år){correction} "
            f"÷ invånare i utjämningen(år); {self.volume.describe()}"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        totals = (
            ctx.model_rows(self.insatser)
            .filter(pl.col("year").is_in(list(years)))
            .group_by("recipient", "year")
            .agg(pl.col("amount").sum().alias("s"))
        )
        keys = {"index": self.index_key, "divisor": self.divisor_key}
        if self.correction_key:
            keys["correction"] = self.correction_key
        table = rates(ctx, keys, years)
        factors = table.pivot("component", index="year", values="value")
        sources = {
            (r["component"], r["year"]): f"{number(r['value'])} ({r['source']})"
            for r in table.iter_rows(named=True)
        }
        if "correction" not in factors.columns:
            factors = factors.with_columns(pl.lit(1.0).alias("correction"))
        bad = factors.filter(pl.col("divisor") <= 0)
        if bad.height:
            raise ModelError(
                f"{self.config.where}: the equalisation population for {bad.item(0, 'year')} "
                "must be above zero"
            )
        volumes = population_in_ages(ctx, self.volume, (0, OPEN_END), years)
        joined = volumes.join(totals, on=["recipient", "year"], how="left").join(
            factors, on="year", how="left"
        )
        missing = joined.filter(pl.col("s").is_null())
        if missing.height:
            raise ModelError(
                f"{self.config.where}: model {self.insatser!r} has no insatser for "
                f"{missing.item(0, 'recipient')!r} in {missing.item(0, 'year')}"
            )
        joined = joined.with_columns(
            (pl.col("s") * pl.col("index") * pl.col("correction") / pl.col("divisor")).alias("rate")
        )
        basis = [
            f"standardkostnad = S {number(r['s'])} kr ({self.insatser}) × PK-IX "
            f"{sources[('index', r['year'])]}"
            + (
                f" × korrigeringsfaktor {sources[('correction', r['year'])]}"
                if self.correction_key
                else ""
            )
            + f" ÷ {sources[('divisor', r['year'])]} invånare"
            for r in joined.iter_rows(named=True)
        ]
        joined = joined.with_columns(
            pl.lit("invånare").alias("component"), pl.Series("basis", basis, dtype=pl.String)
        )
        return model_rows(joined, self.id, "invånare", "kr/invånare")
