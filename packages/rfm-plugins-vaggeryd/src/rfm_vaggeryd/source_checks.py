"""What the seeds claim about Vaggeryd's model money, set against what rfm computes.

Each check quotes its source and shows both sides and the difference; none forces the two to
agree. ``rfm vaggeryd fordelning`` prints them under the committee's ledger.

* **Balance** (seed 000): "Den ökade belastningen på kommunens ekonomiska utrymme m h a de två
  nya modellerna balanserar med sänkningen från 10 till 5 procent av standardkostnaden inom
  IFO-modellen." The cut is IFO(10 %) − IFO(5 %) in the budget year, from the scenarios
  ``modell-2022`` and ``modell-2023``; the new models' burden is their money that year, as the
  committee states it (seed 004: LSS 900 tkr, HSL 1 300 tkr) and as rfm computes it.
  The cut is SCB's IFO standard cost × the inhabitants × 5 %, so the check means something only
  when that standard cost is a published figure. The sources do not hold it for Vaggeryd, and
  the packaged tenant's 2 983 kr is calibrated from this very claim; a verdict would then hold
  by construction. So the check first reads the standard cost's source: unless it is a real
  figure (no ``KALIBRERA``, ``ILLUSTRATIV``, ``KONSTRUER`` or ``ANTAGANDE`` in it, the words
  ``rfm docs`` sorts figures by), it says the claim cannot be checked, names the missing figure
  and where it is published, and gives the range of standard costs for which the claim would
  hold. A tenant that gives the real figure gets a real verdict, which may be "balanserar inte".
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


NOT_PUBLISHED = ("KALIBRERA", "ILLUSTRATIV", "KONSTRUER", "ANTAGANDE")
"""Words that mark a figure's source as not a published figure (upper case). The same words by
which ``rfm docs`` sorts a tenant's figures into real, calibrated, constructed, assumed and
illustrative (``rfm.provenance``, not part of the public API a plugin may import)."""

MISSING_COST = (
    "SCB:s standardkostnad för individ- och familjeomsorg i kostnadsutjämningen, kommun {kommun}, "
    "utjämningsåret {year} (SCB: Kommunalekonomisk utjämning, utfall {year}; i Kolada nyckeltalet "
    'N30014 "Standardkostnad individ- och familjeomsorg, kr/inv", år {year})'
)
"""What the balance check needs and where it is published, for the text when it is missing."""


def is_published(source: str) -> bool:
    """Whether a source describes a real, published figure (see :data:`NOT_PUBLISHED`)."""
    upper = source.upper()
    return not any(word in upper for word in NOT_PUBLISHED)


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
    cost: float | None
    """The IFO standard cost per inhabitant of the budget year, as the tenant has it (None when
    the tenant reads it per area from a dataset)."""
    cost_source: str
    kommun: str
    """The tenant's kommunkod, to name the missing figure."""

    @property
    def cut(self) -> float:
        return self.ifo_old - self.ifo_new

    @property
    def checkable(self) -> bool:
        """Whether the standard cost is a published figure, so that the cut can test the claim.

        A calibrated standard cost derived from the claim itself makes the cut equal the
        committee's money by construction; an illustrative one makes the cut made up.
        """
        return is_published(self.cost_source)

    def cost_for_balance(self, burden: float) -> tuple[float, float, float] | None:
        """(low, exact, high): the standard costs for which ``burden`` balances the cut.

        The cut is proportional to the standard cost (cost × inhabitants × the uplift's fall),
        so the cost that makes the cut equal the burden is cost × burden ÷ cut, and within
        :data:`BALANCE_TOLERANCE` the claim holds from exact ÷ (1 + tol) to exact ÷ (1 − tol).
        """
        if self.cost is None or not self.cut:
            return None
        exact = self.cost * burden / self.cut
        return exact / (1 + BALANCE_TOLERANCE), exact, exact / (1 - BALANCE_TOLERANCE)

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
    cost, source = standard_cost(tenant, buildup.run.parameters, year)
    return Balance(
        year, _amount(old), _amount(new), stated, computed, cost, source, tenant.kommunkod or "?"
    )


def standard_cost(
    tenant: rfm.Tenant, parameters: rfm.ParameterSet, year: int, model: str = "ifo"
) -> tuple[float | None, str]:
    """The IFO model's standard cost per inhabitant in ``year`` and its source.

    The model holds it as a dated parameter (``standard_cost``); a tenant that reads it from a
    dataset by area (``standard_cost_dataset``) gives the dataset's source and no single value.
    """
    table = tenant.model(model).config.table
    if "standard_cost" not in table:
        name = str(table.get("standard_cost_dataset", ""))
        config = tenant.datasets.get(name)
        return None, (config.source if config is not None else "") or ""
    raw = table["standard_cost"]
    key = raw if isinstance(raw, str) else f"{model}.standard_cost"
    dated = parameters.at(key, year)
    if dated.value is None:
        raise rfm.ConfigError(f"{key}: no standard cost in {year}")
    return float(dated.value), dated.source


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
