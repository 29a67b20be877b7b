"""``lss_standard_cost``: population × the LSS-utjämning's standard cost per inhabitant.

Förordning (2008:776) om utjämning av kostnader för stöd och service till vissa
funktionshindrade, §2–6 and its bilaga, computes a municipality's LSS standard cost so:

    S(t)          = Σ_insats antal × genomsnittskostnad × vikt  +  FK                (§4, bilaga)
    PK-IX(t)      = (S + 0,70 × (P − 0,85 × S)) ÷ S                                    (§6, steg 1–3)
    P             = A × (1 + PO) + 0,85 × (B + C + D + E) − 0,85 × (F + G + J)
                    + 0,85 × 0,20 × (H ÷ 0,20 − G)                                     (steg 1)
    KPIF(t)       = Π (1 + KPIF-förändring) over the years from the data to t          (§2)
    SK(t)         = S × PK-IX × KPIF × korrigeringsfaktor ÷ invånare i utjämningen     (§4)
    amount(r, t)  = invånare(r, t) × SK(t)

* **S** is another model of the tenant, a ``price_tags`` model over the insatser (named in
  ``insatser``), whose weights are the regulation's: barn i bostad 1,25 and familjehem 0,45 of the
  adult housing price, personlig assistans under SFB 0,50 of the LSS price, korttidstillsyn 0,55,
  avlösar- and ledsagarservice 0,25 and kontaktperson 0,10 of the korttidsvistelse price.
* **FK** is the municipality's payment to Försäkringskassan for assistansersättning (SFB 51 kap.,
  the first 20 hours a week of each assistance user, paid at the government's schablon per
  hour), from räkenskapssammandraget. It is part of S: a rise of the schablon lands here, two
  years later (the data are two years old, §3). ``fk`` names a model whose amounts are FK, or
  gives FK in kr as dated values.
* **PK-IX** depends on S (§6): 70 % of the difference between the municipality's computed
  personnel cost P and the 85 % of S the regulation takes for personnel is added to S. With
  ``personnel_costs`` (the räkenskapssammandrag lines A–G and J in kr; H, the payment to FK, is
  FK itself) and ``po_rate`` (PO-pålägg, 47,18 % in SFS 2025:1172) rfm computes it from S, so a
  scenario that changes S changes the index too. ``personnel_index`` instead takes the index as
  SCB published it, a given number that then does not follow S.
* **KPIF**: S is at the price level of its data year; it is raised to the equalisation year
  with the yearly KPIF changes (bilaga: "2025: 2,7; 2026: 1,3"). ``kpif`` holds the yearly
  changes (andel, dated by year), ``kpif_years`` how many years are raised (2 by default: the
  data are "två år före utjämningsåret", §3): KPIF(t) = (1 + k(t−1)) × (1 + k(t)). A tenant
  whose budget is at fixed prices sets ``price_year`` (Vaggeryd: 2022): S is then carried from
  its data year to the price level of that year instead, so that the model's change between two
  years is volume and real change, and price compensation is left to the frame's PLK.
* The correction factor (Σ standardkostnad = the municipalities' total net cost) and the
  population the equalisation divides by (1 November the year before, §2) are dated
  parameters: they are national or SCB figures, not computable from one municipality.

Vaggeryd's LSS model (budget 2023) uses the result as its ersättningsbelopp: the standard cost
per inhabitant times the municipality's population of the budget year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import polars as pl

from rfm.errors import ConfigError, ModelError
from rfm.formatting import number
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, population_in_ages, rates
from rfm.models.frames import model_rows
from rfm.schemas.age import OPEN_END

PERSONNEL_SHARE = 0.85
"""Bilaga, steg 2: the personnel cost within S is taken as 85 % of S; steg 1 counts 85 % of
purchases and internal costs as personnel cost."""
EXCESS_SHARE = 0.70
"""§6 and bilaga, steg 3: 70 % of the excess personnel cost is compensated."""
FK_PERSONNEL_SHARE = 0.20
"""Bilaga, steg 1: 0,85 × 0,20 × (H ÷ 0,20 − G), the computed personnel cost of purchased
personlig assistans."""
RS_LINES = ("A", "B", "C", "D", "E", "F", "G", "J")
"""The räkenskapssammandrag lines of steg 1 a tenant gives (H is FK)."""
RS_LINE_NAMES = {
    "A": "externa löner (anställda 26–64 år)",
    "B": "entreprenad och köp av verksamhet",
    "C": "interna köp och övriga interna kostnader",
    "D": "internt fördelade kostnader enligt kommunnyckeln",
    "E": "internt fördelade kostnader enligt SCB-nyckeln",
    "F": "interna intäkter",
    "G": "ersättning från Försäkringskassan",
    "J": "försäljning av verksamhet till andra kommuner",
}


@attrs.frozen
class PersonnelIndex:
    """The staff-cost index of §6 for one municipality and year, with its steps."""

    s: float
    personnel_cost: float
    """Steg 1: beräknade personalkostnader P."""

    @property
    def included(self) -> float:
        """Steg 2: the personnel cost within S, 0,85 × S."""
        return PERSONNEL_SHARE * self.s

    @property
    def excess(self) -> float:
        """Steg 3: 70 % of (P − 0,85 × S); negative when P is below 0,85 × S."""
        return EXCESS_SHARE * (self.personnel_cost - self.included)

    @property
    def index(self) -> float:
        """(S + steg 3) ÷ S."""
        return (self.s + self.excess) / self.s


def computed_personnel_cost(lines: Mapping[str, float], h: float, po_rate: float) -> float:
    """Steg 1: A × (1 + PO) + 0,85 × (B+C+D+E) − 0,85 × (F+G+J) + 0,85 × 0,20 × (H ÷ 0,20 − G)."""
    a, b, c, d, e, f, g, j = (lines[k] for k in RS_LINES)
    return (
        a * (1 + po_rate)
        + PERSONNEL_SHARE * (b + c + d + e)
        - PERSONNEL_SHARE * (f + g + j)
        + PERSONNEL_SHARE * FK_PERSONNEL_SHARE * (h / FK_PERSONNEL_SHARE - g)
    )


class LssStandardCost(Model):
    type_name = "lss_standard_cost"
    summary = (
        "population × (S incl. FK × PK-IX(S) × KPIF × korrigering ÷ invånare), LSS-utjämningen"
    )
    config_keys = (
        *VOLUME_KEYS,
        "insatser",
        "fk",
        "personnel_index",
        "personnel_costs",
        "po_rate",
        "kpif",
        "kpif_years",
        "price_year",
        "correction",
        "equalisation_population",
    )
    required_keys = ("insatser", "fk", "kpif", "equalisation_population")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.volume = VolumeSettings(self, "population")
        self.insatser = table["insatser"]
        if not isinstance(self.insatser, str) or not self.insatser:
            raise ConfigError(f"{config.where}.insatser: expected the id of a price_tags model")
        raw_fk = table["fk"]
        self.fk_model: str | None = None
        self.fk_key: str | None = None
        if isinstance(raw_fk, str):
            if not raw_fk:
                raise ConfigError(f"{config.where}.fk: expected a model id or dated kr values")
            self.fk_model = raw_fk
        else:
            self.fk_key = self.dated_parameter(
                "fk", "kr", "kommunens ersättning till Försäkringskassan (FK)"
            )
        given, computed = "personnel_index" in table, "personnel_costs" in table
        if given == computed:
            raise ConfigError(
                f"{config.where}: give either 'personnel_costs' (and 'po_rate': PK-IX computed "
                "from S by §6) or 'personnel_index' (PK-IX as published), not "
                + ("both" if given else "neither")
            )
        self.index_key: str | None = None
        self.line_keys: dict[str, str] = {}
        self.po_key: str | None = None
        if given:
            self.index_key = self.dated_parameter(
                "personnel_index", "index", "personalkostnadsindex (PK-IX), som publicerat"
            )
        else:
            lines = self.mapping("personnel_costs")
            wrong = sorted(set(lines) ^ set(RS_LINES))
            if wrong:
                raise ConfigError(
                    f"{config.where}.personnel_costs: give the räkenskapssammandrag lines "
                    f"{', '.join(RS_LINES)} (H is FK); wrong or missing: {', '.join(wrong)}"
                )
            self.line_keys = {
                k: self.dated_parameter(
                    "personnel_costs", "kr", f"PK-IX steg 1, {k}: {RS_LINE_NAMES[k]}", suffix=k
                )
                for k in RS_LINES
            }
            if "po_rate" not in table:
                raise ConfigError(f"{config.where}: 'personnel_costs' needs 'po_rate' (PO-pålägg)")
            self.po_key = self.dated_parameter("po_rate", "andel", "PO-pålägg (PK-IX steg 1)")
        self.kpif_key = self.dated_parameter(
            "kpif", "andel", "KPIF, genomsnittlig förändring under året"
        )
        self.kpif_years = self.optional_int("kpif_years", 2)
        if self.kpif_years < 0:
            raise ConfigError(f"{config.where}.kpif_years: must be 0 or more")
        self.price_year: int | None = (
            self.optional_int("price_year", 0) if "price_year" in table else None
        )
        self.correction_key = (
            self.dated_parameter("correction", "faktor", "korrigeringsfaktor")
            if "correction" in table
            else None
        )
        self.divisor_key = self.dated_parameter(
            "equalisation_population", "invånare", "invånare i utjämningen (1 november året före)"
        )

    def inputs(self) -> tuple[str, ...]:
        return (self.insatser, *((self.fk_model,) if self.fk_model else ()))

    def datasets(self) -> tuple[str, ...]:
        return self.volume.datasets()

    def formula(self) -> str:
        correction = " × korrigeringsfaktor(år)" if self.correction_key else ""
        target = (
            "utjämningsårets prisnivå"
            if self.price_year is None
            else f"{self.price_year} års prisnivå (fasta priser)"
        )
        fk = self.fk_model or "FK i kr"
        index = (
            "PK-IX = (S + 0,70 × (P − 0,85 × S)) ÷ S, P = A × (1 + PO) + 0,85 × (B+C+D+E) "
            "− 0,85 × (F+G+J) + 0,85 × 0,20 × (FK ÷ 0,20 − G)"
            if self.line_keys
            else "PK-IX som publicerat (följer inte S)"
        )
        return (
            "belopp = invånare(år) × standardkostnad per invånare(år); standardkostnad = "
            f"S × PK-IX × KPIF{correction} ÷ invånare i utjämningen(år); "
            f"S = Σ_insats antal × prislapp × vikt ({self.insatser}) + ersättning till "
            f"Försäkringskassan ({fk}); {index}; KPIF = Π (1 + förändring) från dataåret (år − "
            f"{self.kpif_years}) till {target}; {self.volume.describe()}"
        )

    # -- the regulation's arithmetic, year by year --------------------------------------------

    def _model_sums(
        self, ctx: ComputeContext, model: str, years: Sequence[int], name: str
    ) -> pl.DataFrame:
        return (
            ctx.model_rows(model)
            .filter(pl.col("year").is_in(list(years)))
            .group_by("recipient", "year")
            .agg(pl.col("amount").cast(pl.Float64).sum().alias(name))
        )

    def _fk(
        self, ctx: ComputeContext, years: Sequence[int], recipients: pl.DataFrame
    ) -> pl.DataFrame:
        if self.fk_model is not None:
            return self._model_sums(ctx, self.fk_model, years, "fk").with_columns(
                pl.lit(f"modellen {self.fk_model}").alias("fk_source")
            )
        assert self.fk_key is not None
        table = rates(ctx, {"fk": self.fk_key}, years).select(
            "year", pl.col("value").alias("fk"), pl.col("source").alias("fk_source")
        )
        return recipients.join(table, on="year", how="inner")

    def kpif_factor(self, ctx: ComputeContext, year: int) -> tuple[float, str]:
        """From the price level of the data year to that of the equalisation year (or of
        ``price_year``): Π (1 + k(y)) over the years after the data year, and the sum in words.

        The data year is ``year − kpif_years``. With ``price_year`` P below the data year the
        factor divides by the changes of the years after P instead (fixed prices of P).
        """
        data_year = year - self.kpif_years
        target = year if self.price_year is None else self.price_year
        factor, parts = 1.0, []
        low, high, sign = (data_year, target, 1) if target >= data_year else (target, data_year, -1)
        for y in range(low + 1, high + 1):
            dated = ctx.parameters[self.kpif_key].at(y)
            change = float(dated.value or 0.0)
            factor = factor * (1 + change) if sign > 0 else factor / (1 + change)
            parts.append(f"(1 + {number(change * 100)} % {y}, {dated.source})")
        op = " × " if sign > 0 else " ÷ "
        text = (op.join(parts) if sign > 0 else "1 ÷ " + " ÷ ".join(parts)) if parts else "1"
        return factor, f"{text}: dataår {data_year} → prisnivå {target}"

    def personnel(self, ctx: ComputeContext, s: float, fk: float, year: int) -> tuple[float, str]:
        """PK-IX for S and FK in ``year``, and the steps in words."""
        if self.index_key is not None:
            dated = ctx.parameters[self.index_key].at(year)
            return float(dated.value or 0.0), f"PK-IX {number(dated.value or 0)} ({dated.source})"
        lines = {
            k: float(ctx.parameters[key].at(year).value or 0.0) for k, key in self.line_keys.items()
        }
        assert self.po_key is not None
        po = ctx.parameters[self.po_key].at(year)
        p = PersonnelIndex(s, computed_personnel_cost(lines, fk, float(po.value or 0.0)))
        keys = f"{self.line_keys['A']} … {self.line_keys['J']}"
        return p.index, (
            f"PK-IX = (S + 0,70 × (P {number(p.personnel_cost)} − 0,85 × S {number(p.included)})) "
            f"÷ S = {number(p.index, 4)}; P ur räkenskapssammandraget ({keys}), "
            f"PO-pålägg {number((po.value or 0) * 100)} % ({po.source}), H = FK"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        insatser = self._model_sums(ctx, self.insatser, years, "insatser")
        fk = self._fk(ctx, years, insatser.select("recipient", "year"))
        totals = insatser.join(fk, on=["recipient", "year"], how="full", coalesce=True)
        missing = totals.filter(pl.col("insatser").is_null() | pl.col("fk").is_null())
        if missing.height:
            first = missing.row(0, named=True)
            what = self.insatser if first["insatser"] is None else (self.fk_model or "fk")
            raise ModelError(
                f"{self.config.where}: {what!r} gives nothing for {first['recipient']!r} in "
                f"{first['year']}; S needs both the insatser and FK"
            )
        if self.line_keys and totals.get_column("recipient").n_unique() > 1:
            raise ModelError(
                f"{self.config.where}: PK-IX by §6 is computed for one municipality; S has "
                f"several recipients ({', '.join(sorted(totals['recipient'].unique()))})"
            )
        keys = {"divisor": self.divisor_key}
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
        records = []
        for r in totals.join(factors, on="year", how="left").iter_rows(named=True):
            s = r["insatser"] + r["fk"]
            if s <= 0:
                raise ModelError(
                    f"{self.config.where}: S for {r['recipient']!r} in {r['year']} is "
                    f"{number(s)} kr; the standard cost needs S above zero"
                )
            index, index_text = self.personnel(ctx, s, r["fk"], r["year"])
            kpif, kpif_text = self.kpif_factor(ctx, r["year"])
            rate = s * index * kpif * r["correction"] / r["divisor"]
            basis = (
                f"standardkostnad = S {number(s)} kr (insatser {number(r['insatser'])} kr ur "
                f"{self.insatser} + FK {number(r['fk'])} kr ur {r['fk_source']}) × {index_text} "
                f"× KPIF {number(kpif, 4)} = {kpif_text}"
                + (
                    f" × korrigeringsfaktor {sources[('correction', r['year'])]}"
                    if self.correction_key
                    else ""
                )
                + f" ÷ {sources[('divisor', r['year'])]} invånare = {number(rate, 2)} kr/invånare"
            )
            records.append(
                {"recipient": r["recipient"], "year": r["year"], "rate": rate, "basis": basis}
            )
        per_recipient = pl.DataFrame(
            records,
            schema={
                "recipient": pl.String,
                "year": pl.Int64,
                "rate": pl.Float64,
                "basis": pl.String,
            },
        )
        volumes = population_in_ages(ctx, self.volume, (0, OPEN_END), years)
        joined = volumes.join(per_recipient, on=["recipient", "year"], how="left")
        lost = joined.filter(pl.col("rate").is_null())
        if lost.height:
            raise ModelError(
                f"{self.config.where}: model {self.insatser!r} has no insatser for "
                f"{lost.item(0, 'recipient')!r} in {lost.item(0, 'year')}"
            )
        joined = joined.with_columns(pl.lit("invånare").alias("component"))
        return model_rows(joined, self.id, "invånare", "kr/invånare")
