"""What the seeds claim about Vaggeryd's model money, set against what rfm computes.

Each check quotes its source and shows both sides and the difference; none forces the two to
agree. ``rfm vaggeryd fordelning`` prints them under the committee's ledger.

* **Balance** (seed 000): "Den ökade belastningen på kommunens ekonomiska utrymme m h a de två
  nya modellerna balanserar med sänkningen från 10 till 5 procent av standardkostnaden inom
  IFO-modellen." The cut is IFO(10 %) − IFO(5 %) in the budget year, from the scenarios
  ``modell-2022`` and ``modell-2023``; the new models' burden is their money that year, as the
  committee states it (seed 004: LSS 900 tkr, HSL 1 300 tkr) and as rfm computes it.
* **Per inhabitant** (seed 004): "Bidrag till kvinnojouren i Värnamo … 10 kr/invånare, 125
  tkr". 10 kr × Vaggeryd's population is not 125 tkr; the check shows by how much and what
  population 125 tkr would mean. The source's own inconsistency, flagged, not corrected.
* **The PA schablon in the LSS-utjämning** (seed 004 and förordning 2008:776): the schablon rises
  304,30 → 315,00 → 319,70 → 324,50 kr (2020–2023). The municipality's payment to
  Försäkringskassan (FK) is part of S, and the equalisation reads the accounts two years back:
  each year's schablon reaches the LSS model two years later.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl

import rfm
from rfm_vaggeryd.ledger import PerCapita, Post

BALANCE_TOLERANCE = 0.05
"""Within 5 % of the cut the two sides are said to balance ("balanserar"); the seed's claim is
qualitative, so the output shows the difference either way."""


def _amount(frame: pl.DataFrame) -> float:
    """Σ amount as a float, whether the lineage holds Float64 or exact decimals."""
    return float(frame.select(pl.col("amount").cast(pl.Float64).sum()).item())


@attrs.frozen
class Balance:
    year: int
    ifo_old: float
    """IFO in the budget year with the old uplift (scenario modell-2022)."""
    ifo_new: float
    stated: dict[str, float]
    """Model → the committee's model money (seed 004)."""
    computed: dict[str, float]
    """Model → rfm's change of the model from the year before (volume + rate)."""

    @property
    def cut(self) -> float:
        return self.ifo_old - self.ifo_new

    def verdict(self, burden: float) -> str:
        diff = burden - self.cut
        share = diff / self.cut if self.cut else float("inf")
        n = rfm.format_number
        if abs(share) <= BALANCE_TOLERANCE:
            return f"balanserar (skillnad {n(round(diff), 0)} kr, {rfm.format_percent(share)})"
        return f"balanserar inte: skillnad {n(round(diff), 0)} kr ({rfm.format_percent(share)})"


def balance(
    tenant: rfm.Tenant, registry: rfm.Registry, buildup: rfm.FrameBuildUp, posts: Sequence[Post]
) -> Balance:
    """Seed 000's balance: the IFO cut against the two new models' money in ``buildup.year``."""
    year = buildup.year
    old = rfm.run(tenant, registry, [year], scenario="modell-2022", models=["ifo"]).lineage
    new = rfm.run(tenant, registry, [year], scenario="modell-2023", models=["ifo"]).lineage
    new_models = ("lss", "halso_sjukvard")
    stated = {m: sum(p.amount for p in posts if p.model == m) for m in new_models}
    changes = buildup.models.filter(pl.col("model").is_in(list(new_models)))
    computed = {
        r["model"]: float(r["volume"]) + float(r["rate_change"])
        for r in changes.iter_rows(named=True)
    }
    return Balance(year, _amount(old), _amount(new), stated, computed)


@attrs.frozen
class PerCapitaCheck:
    item: PerCapita
    population: float
    population_source: str

    @property
    def computed(self) -> float:
        return self.item.rate * self.population

    @property
    def consistent(self) -> bool:
        """Whether rate × population rounds to the stated amount in whole tkr."""
        return round(self.computed / 1000) == round(self.item.amount / 1000)


def per_capita(tenant: rfm.Tenant, registry: rfm.Registry, item: PerCapita) -> PerCapitaCheck:
    """rate × the tenant's population on 31 December of ``item.population_year``."""
    frame = rfm.compute_context(tenant, registry).dataset("population")
    year = frame.filter(pl.col("year") == item.population_year)
    if year.height == 0:
        raise rfm.ConfigError(
            f"per_capita {item.item!r}: the population has no year {item.population_year}"
        )
    total = float(year.select(pl.col("count").cast(pl.Float64).sum()).item())
    source = tenant.datasets["population"].source
    return PerCapitaCheck(item, total, f"31 december {item.population_year} ({source})")


@attrs.frozen
class FkYear:
    year: int
    """The equalisation (budget) year."""
    data_year: int
    hours: float
    schablon: float
    amount: float


def fk_link(
    tenant: rfm.Tenant, registry: rfm.Registry, years: Sequence[int], model: str = "lss_fk"
) -> list[FkYear]:
    """FK in the LSS model per equalisation year: hours of the data year × that year's schablon."""
    lineage = rfm.run(tenant, registry, list(years), models=["lss"]).all_lineage
    rows = lineage.filter(pl.col("model") == model).sort("year")
    lag = int(tenant.model(model).config.table.get("data_lag", 0))
    return [
        FkYear(r["year"], r["year"] - lag, r["volume"], r["rate"], float(r["amount"]))
        for r in rows.iter_rows(named=True)
    ]


def schablon_steps(
    parameters: rfm.ParameterSet, key: str, first: int, last: int
) -> list[tuple[int, float, float]]:
    """(year, schablon, rise from the year before) for first…last."""
    values = [(y, parameters.value(key, y)) for y in range(first, last + 1)]
    return [(y, v, v - values[i - 1][1] if i else 0.0) for i, (y, v) in enumerate(values)]
